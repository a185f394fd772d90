"""Provisioning: requests with due dates in business days, tasks, notifications and their e-mail."""
