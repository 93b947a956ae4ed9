"""Resellers of an indirect provider: their MPN (Partner) ID check and what their customers need before checkout."""
