"""Agreements: the Microsoft Customer Agreement per customer (status, acceptance, attestation,
purchase gating, evidence) and the platform's own agreements."""
