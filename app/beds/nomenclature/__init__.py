"""The ministry's approved list of hospitals and sections (nomenclature): reading a file, validating it, comparing
it with the database, and applying it from the admin pages or the command line."""
