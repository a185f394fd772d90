"""What the provisioning core tells listeners after a commit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RequestChanged:
    """A request moved (or one of its tasks did); numbered by the audit sequence of the write."""

    seq: int
    request_id: int
    kind: str
    state: str
    action: str


@dataclass(frozen=True)
class TaskChanged:
    seq: int
    request_id: int
    task_id: int
    state: str
    action: str
