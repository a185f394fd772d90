"""The roles module's kinds of request (seed 001)."""

from __future__ import annotations

from typing import Final

from app.kit.i18n import _
from app.provisioning.core.kinds import RequestKind, register
from app.provisioning.core.workflow import ACCEPTED, IN_PROGRESS, REJECTED, SUBMITTED

DETAIL: Final = "/roles/requests/{number}"

# "The manager contacts IT support when an employee needs an employee assignment." IT support may still reject it
# after taking it (creating it in HSA shows it cannot be made): nothing is made in another system until it is done.
ASSIGNMENT = register(RequestKind("roles.assignment", _("Employee assignment"), "it_support", 2,
                                  frozenset({"complete", "reject"}), DETAIL,
                                  extra_transitions=frozenset({(ACCEPTED, "reject", REJECTED),
                                                               (IN_PROGRESS, "reject", REJECTED)})))
# An assignment ended in bedboard is ended in HSA by IT support: a request of its own, tracked to done.
ASSIGNMENT_END = register(RequestKind("roles.assignment_end", _("End of an employee assignment"), "it_support", 2,
                                      frozenset({"complete"}), DETAIL))
# The seed gives no deadline for catalogue changes; ten business days from the head of operations' approval
# queue to the stewards' decision is the unit's own target, stated here so that "overdue" means something.
# A change revised after a send-back goes back to the head of operations (resubmitted from the review): what the
# head approved is no longer what would be applied.
CATALOGUE_CHANGE = register(RequestKind("roles.catalogue_change", _("Role catalogue change"), "catalogue_steward",
                                        10, frozenset({"complete", "reject"}), DETAIL,
                                        extra_transitions=frozenset({(IN_PROGRESS, "resubmit", SUBMITTED)})))
