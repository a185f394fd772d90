"""Telling people: in-app notifications, their e-mail outbox and its SMTP delivery. Any domain may notify;
this package imports no domain."""
