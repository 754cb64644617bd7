"""Checklist templates (检查表), versioned: the seed, the services, the xlsx export and import."""
