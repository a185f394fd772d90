"""What the bed domain offers other domains: the only ``app.beds`` module another domain may import.

Everything else in ``app/beds`` (its tables, queries, routes and services) may change without another
domain noticing; the import contract in ``pyproject.toml`` holds other domains to this module. Today its one
reader is the history (``app/history``), which rebuilds past numbers from the audit log and needs of beds
only what the log does not say. Each name is here for a reason:

- ``SectionView``: a section as readers see it, a frozen dataclass (no ORM object). The history's past board
  is a list of past ``SectionView`` values, so that it reads, filters and sorts like the live board.
- ``section_views``, ``retirements``: every section as it stands now and when the retired ones were
  retired: where the history starts before undoing later changes from the log.
- ``section_ids``: the sections a hospital, section or section-type filter stands for, to select their rows
  in the log (whose rows name a section by id only).
- ``SectionName``, ``section_names``: hospital and section names to label log rows and export lines.
- ``hospital_choices``, ``section_type_choices``, ``hospital_type_choices``, ``section_choices``: the choices
  of the history's forms, named the way the board names them.
- ``BoardFilter``: the board's filter and its one predicate, ``matches(view.as_json(), moment)``, so that a
  past board is filtered exactly as the live one.
- ``nested``: the board's reading order (hospital, then section, sub-sections under their section).
- ``STALE_AFTER``, ``is_stale``, ``describe_age``: the staleness rule and how an age is said, so that a past
  board and the free-beds chart call "stale" what the live board called stale at the time.
- ``AdmissionStretch``, ``admission_stretches``, ``admission_reason_names``: when a hospital or a section was
  limited or closed, and why (issue 21): the chart's bands, the past board's status and the closures report.

The dependency goes one way: beds never imports the history.
"""

from __future__ import annotations

from app.beds.admission_queries import AdmissionStretch, admission_reason_names, admission_stretches
from app.beds.board_filter import BoardFilter
from app.beds.directory import (
    SectionName,
    hospital_choices,
    hospital_type_choices,
    retirements,
    section_choices,
    section_ids,
    section_names,
    section_type_choices,
    section_views,
)
from app.beds.section_queries import SectionView, nested
from app.beds.staleness import STALE_AFTER, describe_age, is_stale

__all__ = [
    "STALE_AFTER",
    "AdmissionStretch",
    "BoardFilter",
    "SectionName",
    "SectionView",
    "admission_reason_names",
    "admission_stretches",
    "describe_age",
    "hospital_choices",
    "hospital_type_choices",
    "is_stale",
    "nested",
    "retirements",
    "section_choices",
    "section_ids",
    "section_names",
    "section_type_choices",
    "section_views",
]
