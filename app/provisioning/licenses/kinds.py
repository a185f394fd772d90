"""The licence module's kinds of request (seed 000), who handles each and in how many business days."""

from __future__ import annotations

from typing import Final

from app.kit.i18n import _
from app.provisioning.core.kinds import RequestKind, register

OFFICER: Final = "license_officer"
REFERENT: Final = "referent"
HELPDESK: Final = "helpdesk"
DETAIL: Final = "/licenses/requests/{number}"

# "The Service activates the licence within at most 2 business days of receiving the request."
NEW = register(RequestKind("licenses.new", _("New licences"), OFFICER, 2, frozenset({"accept", "reject"}), DETAIL))
# Activation and reactivation are the officer's, never the help desk's; so is deactivation.
REACTIVATION = register(RequestKind("licenses.reactivation", _("Reactivation"), OFFICER, 2,
                                    frozenset({"accept", "reject"}), DETAIL))
DEACTIVATION = register(RequestKind("licenses.deactivation", _("Deactivation (the professional left)"), OFFICER, 2,
                                    frozenset({"accept", "reject"}), DETAIL))
# The seed gives the help desk "the stipulated deadlines" without a figure: two business days, like creation.
SUPPORT = register(RequestKind("licenses.support", _("Help-desk ticket"), HELPDESK, 2,
                               frozenset({"complete", "reject"}), DETAIL))

LICENSE_KINDS: Final = {kind.code: kind for kind in (NEW, REACTIVATION, DEACTIVATION, SUPPORT)}
ABOUT_A_LICENSE: Final = frozenset({REACTIVATION.code, DEACTIVATION.code, SUPPORT.code})
