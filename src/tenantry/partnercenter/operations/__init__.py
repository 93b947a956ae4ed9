"""The client's operations, one module per area; PartnerCenterClient combines them."""
