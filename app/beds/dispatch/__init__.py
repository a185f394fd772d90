"""Dispatch (issue 22): a coordinator announces an incoming patient to a hospital, which sees it live and
acknowledges it; an announcement may hold one bed of its section type for a while."""
