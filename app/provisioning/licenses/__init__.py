"""Licence requests for the clinical record system (Rayen): collaborators, requests, their pages."""
