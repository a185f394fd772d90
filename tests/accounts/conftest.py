"""Account tests use the app, client and browser fixtures of tests/conftest.py."""
