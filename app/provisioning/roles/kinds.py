"""The roles module's kinds of request (seed 001)."""

from __future__ import annotations

from typing import Final

from app.kit.i18n import _
from app.provisioning.core.kinds import RequestKind, register

DETAIL: Final = "/roles/requests/{number}"

# "The manager contacts IT support when an employee needs an employee assignment."
ASSIGNMENT = register(RequestKind("roles.assignment", _("Employee assignment"), "it_support", 2,
                                  frozenset({"complete", "reject"}), DETAIL))
# The seed gives no deadline for catalogue changes; ten business days from the head of operations' approval
# queue to the stewards' decision is the unit's own target, stated here so that "overdue" means something.
CATALOGUE_CHANGE = register(RequestKind("roles.catalogue_change", _("Role catalogue change"), "catalogue_steward",
                                        10, frozenset({"complete", "reject"}), DETAIL))
