"""The kit: what every domain stands on (database and unit of work, audit, settings, clock, errors, forms,
translations, templating, security headers, the JSON API plumbing). It imports no domain and nothing of accounts."""
