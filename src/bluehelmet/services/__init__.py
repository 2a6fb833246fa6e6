"""Use cases shared by the CLI and the REST API: one module per area (registry, data, ...)."""
