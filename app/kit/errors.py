"""Domain errors declare their own code and HTTP status; one handler renders them as JSON or HTML."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class DomainError(Exception):
    """A rule said no. ``message`` is an English message id, translated when it is shown."""

    code: ClassVar[str] = "invalid"
    status: ClassVar[int] = 422

    def __init__(self, message: str, *, details: Mapping[str, Any] | None = None, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params
        self.details = dict(details or {})


class ValidationFailed(DomainError):
    code = "validation_failed"
    status = 422


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    status = 401


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    code = "conflict"
    status = 409


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
    status = 429
