"""Passwords: hashing (argon2id), the policy a new password must meet, and resetting a forgotten one."""
