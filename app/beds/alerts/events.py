"""What the alerts tell the live channel after a commit: a frame for some boards only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AlertNotice:
    """An alert fired (``{"type": "alert", ...}``) or was acknowledged (``{"type": "alert_acknowledged", ...}``),
    numbered by its audit sequence, for the boards of ``audience`` (app/beds/alerts/audience.py)."""

    seq: int
    audience: frozenset[str]
    frame: dict[str, Any]
