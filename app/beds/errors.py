"""Errors of the bed domain; each declares its code and HTTP status."""

from __future__ import annotations

from app.kit.errors import Conflict, NotFound, ValidationFailed


class SectionNotFound(NotFound):
    code = "section_not_found"


class SectionVersionConflict(Conflict):
    """Someone changed the section since the writer read it; details carry its current state."""

    code = "version_conflict"


class IdempotencyKeyReused(ValidationFailed):
    code = "idempotency_key_reused"


class HospitalNotFound(NotFound):
    code = "hospital_not_found"


class AdmissionVersionConflict(Conflict):
    """Someone changed the admission status since the writer read it; details carry the current status."""

    code = "version_conflict"


class NothingToClarify(Conflict):
    """A clarification note asked on a status that is open: there is no closure to explain."""

    code = "admission_open"
