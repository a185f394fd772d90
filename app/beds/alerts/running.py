"""What the alerts keep while an app runs: their live channel and the evaluator of the rules."""

from __future__ import annotations

from dataclasses import dataclass

from app.beds.alerts.channel import AlertChannel
from app.beds.alerts.evaluate import AlertEvaluator
from app.kit.state import AppServices


@dataclass(frozen=True)
class AlertServices:
    channel: AlertChannel
    evaluator: AlertEvaluator


def alert_services(app_services: AppServices) -> AlertServices:
    return app_services.get(AlertServices)
