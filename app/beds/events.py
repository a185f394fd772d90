"""What the bed domain tells the live channel after a commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

ChangeKind = Literal["free_beds_set", "confirmed", "nomenclature"]


@dataclass(frozen=True)
class SectionChanged:
    """One section's new state, numbered by the audit sequence of the write that produced it."""

    seq: int
    kind: ChangeKind
    section: dict[str, Any]
