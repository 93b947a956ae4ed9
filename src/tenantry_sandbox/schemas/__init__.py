"""Request and response bodies, camelCase as Partner Center sends them, per area."""
