"""The platform's own agreements: its terms of business and the professional-secrecy agreement,
versioned, accepted by customers in the product, and required before they order."""
