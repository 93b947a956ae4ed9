"""Password hashing with argon2id (at least 19 MiB and 2 passes, after OWASP's guidance)."""

from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the account does not exist, so both paths take the same time.
_DUMMY_HASH = HASHER.hash("not-a-real-password-used-to-equalise-timing")


def _nfkc(password: str) -> str:
    # The same password typed on two keyboards is the same password (NIST SP 800-63B).
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return HASHER.hash(_nfkc(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return (
            HASHER.verify(password_hash or _DUMMY_HASH, _nfkc(password))
            and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return HASHER.check_needs_rehash(password_hash)
