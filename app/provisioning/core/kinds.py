"""What a module says about each kind of request it owns: who handles it and how long they have.

Modules register their kinds at import; the core (deadlines, queues, the sweep) reads them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class RequestKind:
    code: str
    label: str
    # The role that decides on it (accepts, rejects, completes); its users get the overdue notices.
    handler_role: str
    business_days: int
    # The actions that meet the deadline: after one of them the request can no longer be overdue.
    deadline_met_by: frozenset[str]
    # Where a person sees one request of this kind, with {number} for its id.
    detail_path: str
    # Whose handlers hear that it is late: those anywhere in the request's organisation tree (a digital-health
    # unit handles its communes' requests), or only those of the request's own organisation (a clinic's IT
    # contacts work their own orders, and another clinic's may not read them).
    handlers_anywhere_in_tree: bool = True
    # Moves this kind allows beyond the shared state machine, as (from state, action, to state): the roles module's
    # IT support may still reject an assignment after taking it, and a revised catalogue change goes back to the
    # head of operations. Opt-in per kind: a licence or IT order in progress has work done in other systems.
    extra_transitions: frozenset[tuple[str, str, str]] = frozenset()


_KINDS: Final[dict[str, RequestKind]] = {}


def register(kind: RequestKind) -> RequestKind:
    _KINDS[kind.code] = kind
    return kind


def kind_of(code: str) -> RequestKind:
    return _KINDS[code]


def all_kinds() -> list[RequestKind]:
    return list(_KINDS.values())
