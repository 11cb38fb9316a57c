"""Registry: the organisation tree, members and roles, and the edge where integrated systems hand events in."""
