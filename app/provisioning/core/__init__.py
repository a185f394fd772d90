"""The provisioning core the licence, role and order modules share: requests with due dates in business days,
their tasks and state machines, calendars, overdue sweeps. It imports none of the three modules."""
