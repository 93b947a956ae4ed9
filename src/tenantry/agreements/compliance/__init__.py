"""The Microsoft Customer Agreement across customers: the evidence export, the compliance view
(who has accepted, who is at risk), its daily digest, and the scheduled status refresh."""
