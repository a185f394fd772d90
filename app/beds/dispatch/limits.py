"""The dispatch settings a service needs, as one value taken from the app's settings (the services never read
settings themselves, so a test passes its own)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.kit.settings import Settings


@dataclass(frozen=True)
class DispatchLimits:
    # Nobody at the hospital acknowledged within this: the coordinator is alerted (the default 3 minutes).
    ack_within: timedelta = timedelta(minutes=3)
    # A hold, and an announcement nobody closed, last until the ETA plus this (the default 30 minutes).
    after_eta: timedelta = timedelta(minutes=30)
    holds_per_coordinator: int = 5

    @classmethod
    def of(cls, settings: Settings) -> DispatchLimits:
        return cls(ack_within=timedelta(minutes=settings.announcement_ack_minutes),
                   after_eta=timedelta(minutes=settings.hold_minutes_after_eta),
                   holds_per_coordinator=settings.max_holds_per_coordinator)
