"""The catalog: what Partner Center sells in the platform's market, read into tables
(``refresh``, scheduled in ``tasks``), the platform's price list and markups (``prices``,
``price_import``, ``markups``), and offers as each buyer sees them (``offers``, ``pricing``).

docs/catalog.md explains it for a seller's staff.
"""
