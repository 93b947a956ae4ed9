"""Payment providers behind one interface (``base.PaymentProvider``), found by name in
``registry``. Ships the manual (invoice) provider; docs/orders.md says how to add another."""
