"""Server-rendered pages: Jinja2 templates, htmx (vendored in ``static/``), forms and CSRF."""
