"""The customer's own acceptance of the Microsoft Customer Agreement, in the product."""
