"""Who is told of an announcement, in the hub's notice labels: the hospital's screens ("hospital:7", the
operators' own socket) and the announcing authority's boards ("org:2", the labels the alerts already give a
coordinator's board, app/beds/alerts/audience.py). Another hospital's operators hold no label that matches."""

from __future__ import annotations

from app.beds.alerts.audience import authority_label, user_label


def hospital_label(hospital_id: int) -> str:
    return f"hospital:{hospital_id}"


def announcement_audience(hospital_id: int, organisation_id: int) -> frozenset[str]:
    return frozenset({hospital_label(hospital_id), authority_label(organisation_id)})


def coordinator_audience(user_id: int | None, organisation_id: int) -> frozenset[str]:
    """The coordinator who announced (an unacknowledged announcement alerts them), or the authority without one."""
    return frozenset({user_label(user_id)}) if user_id is not None else frozenset({authority_label(organisation_id)})
