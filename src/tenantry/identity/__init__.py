"""People, sign-in, sessions, API tokens and memberships.

- ``api``, ``schemas``, ``service``: people, memberships, API tokens and ``/me``
- ``auth``: turning a request's credentials into an actor
- ``sign_in/``: password sign-in pages, sessions, throttling, the sign-in requirement
- ``passwords/``: hashing, the password policy, resetting a forgotten password
- ``email/``: one-time links by email, proving an address, the pages those links open
- ``microsoft/``: signing in with a Microsoft account
- ``on_behalf/``: login on behalf of a customer
"""
