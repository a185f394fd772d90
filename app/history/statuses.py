"""An admission status in words, for every history view that shows one (the log, the chart, the closures report)."""

from __future__ import annotations

from typing import Final

from app.kit.i18n import _

STATUS_LABELS: Final[dict[str, str]] = {
    "open": _("open"),
    "limited": _("limited"),
    "closed": _("closed to ambulances"),
}
