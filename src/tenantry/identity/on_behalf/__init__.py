"""Login on behalf of a customer: a seller's staff member acting as a customer's admin for a while."""
