"""What the bed domain tells the live channel (and the alerts) after a commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

ChangeKind = Literal["free_beds_set", "confirmed", "nomenclature", "admission"]
AdmissionStatus = Literal["open", "limited", "closed"]


@dataclass(frozen=True)
class SectionChanged:
    """One section's new state, numbered by the audit sequence of the write that produced it."""

    seq: int
    kind: ChangeKind
    section: dict[str, Any]


@dataclass(frozen=True)
class AdmissionChanged:
    """A hospital's or a section's admission status moved (set by a person, or back to open at its expiry).

    ``section_id`` is None for the whole hospital. The sections it touches are announced apart, as
    ``SectionChanged`` of kind "admission" with the same ``seq``: this event is for what reacts to the move
    itself (alert rules "a hospital or section closes / reopens"), not for the board's rows.
    """

    seq: int
    hospital_id: int
    section_id: int | None
    before: AdmissionStatus
    after: AdmissionStatus
    reason_code: str | None
    reason: str | None
    expired: bool = False
