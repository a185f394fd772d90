"""Role catalogues: versioned data, their files (CSV and JSON import and export) and their pages."""
