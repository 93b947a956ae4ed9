"""The catalog, the cart and orders."""
