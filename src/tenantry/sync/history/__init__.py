"""The sync history: runs with their counts and errors, and what each changed (/sync)."""
