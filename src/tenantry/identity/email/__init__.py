"""Links sent by email: one-time tokens, proving an address, and the pages those links open."""
