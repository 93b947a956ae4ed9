"""Organizations: the platform owner, resellers and customers, their profiles and lifecycle."""
