"""The People section of an organization: its members, and inviting people into it."""
