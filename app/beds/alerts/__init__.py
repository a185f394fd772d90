"""Alerts (issue 21): rules a coordinator or an authority's administrator keeps, evaluated on the server after each
committed change, delivered to the owner's open boards as ``alert`` frames, acknowledged and audited."""
