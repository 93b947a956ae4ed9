"""Self-registration: storefronts, the public catalog, signing up and registering an organization."""
