"""The IT-order module's kind of request (seeds 002, 004)."""

from __future__ import annotations

from typing import Final

from app.kit.i18n import _
from app.provisioning.core.kinds import RequestKind, register

DETAIL: Final = "/orders/{number}"

# The IT contact places the order and works its checklist; it is due before its planned date (set when the order
# is placed), so the ten business days here only stand until then. Only the ordering organisation's own IT
# contacts hear that it is late: the other clinics of the region may not read it.
IT_ORDER = register(RequestKind("orders.it_order", _("IT order"), "it_contact", 10, frozenset({"complete"}), DETAIL,
                                handlers_anywhere_in_tree=False))
