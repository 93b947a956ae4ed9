"""Granular delegated admin privileges (GDAP): asking a linked customer's tenant for admin roles."""
