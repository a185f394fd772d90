"""The nomenclature's list of admission reasons (issue 21): listed, added, renamed, retired and restored by an
authority administrator, each change audited.

A reason is never deleted: a retired one is no longer offered to operators, but the statuses and periods that used
it keep naming it (the closures report, the history). Its code is the API's ``reason_code`` and never changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from app.beds.models import AdmissionReason
from app.beds.nomenclature.service import may_import
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.kit.i18n import _

CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
MAX_NAME = 120


@dataclass(frozen=True)
class ReasonText:
    """What the form says of a reason: its names and whether it asks for words."""

    name_en: str
    name_ro: str
    needs_text: bool


class ReasonCodeTaken(Conflict):
    code = "reason_code_taken"


def _check(actor: Actor) -> None:
    if not may_import(actor):
        raise PermissionDenied(_("Only an authority administrator may change the nomenclature."))


def _name(value: str, field: str) -> str:
    name = " ".join(value.split())
    if not 1 <= len(name) <= MAX_NAME:
        raise ValidationFailed(_("Write the name: from 1 to {max} characters."), max=MAX_NAME,
                               details={"field": field})
    return name


def checked(text: ReasonText) -> ReasonText:
    return ReasonText(_name(text.name_en, "name_en"), _name(text.name_ro, "name_ro"), text.needs_text)


def _state(row: AdmissionReason) -> dict[str, object]:
    return {"code": row.code, "name_en": row.name_en, "name_ro": row.name_ro, "needs_text": row.needs_text,
            "retired": row.retired_at is not None}


async def all_reasons(uow: UnitOfWork, *, actor: Actor) -> list[AdmissionReason]:
    _check(actor)
    return list(await uow.session.scalars(select(AdmissionReason).order_by(AdmissionReason.retired_at.is_not(None),
                                                                           AdmissionReason.position,
                                                                           AdmissionReason.code)))


async def add_reason(uow: UnitOfWork, *, actor: Actor, code: str, text: ReasonText) -> AdmissionReason:
    _check(actor)
    code = code.strip()
    if not CODE.match(code):
        raise ValidationFailed(_("The code is 2 to 40 small letters, digits or _, starting with a letter (e.g. "
                                 "ct_down): hospital systems send it."), details={"field": "code"})
    text = checked(text)
    if await uow.session.scalar(select(AdmissionReason.id).where(AdmissionReason.code == code)) is not None:
        raise ReasonCodeTaken(_("There is already a reason with the code {code}."), code=code,
                              details={"field": "code"})
    last = await uow.session.scalar(select(func.max(AdmissionReason.position)))
    row = AdmissionReason(code=code, name_en=text.name_en, name_ro=text.name_ro, needs_text=text.needs_text,
                          position=(last or 0) + 1)
    uow.session.add(row)
    await uow.session.flush()
    await audit.record(uow.session, actor=actor, action="beds.admission_reason_added", object_type="admission_reason",
                       object_id=row.id, before=None, after=_state(row))
    return row


async def _row(uow: UnitOfWork, reason_id: int) -> AdmissionReason:
    row = await uow.session.get(AdmissionReason, reason_id, with_for_update=True)
    if row is None:
        raise NotFound(_("There is no such reason."))
    return row


async def change_reason(uow: UnitOfWork, *, actor: Actor, reason_id: int, text: ReasonText) -> bool:
    """Renames a reason (or says whether it asks for words); returns whether anything changed."""
    _check(actor)
    text = checked(text)
    row = await _row(uow, reason_id)
    before = _state(row)
    row.name_en, row.name_ro, row.needs_text = text.name_en, text.name_ro, text.needs_text
    if _state(row) == before:
        return False
    await audit.record(uow.session, actor=actor, action="beds.admission_reason_changed",
                       object_type="admission_reason", object_id=row.id, before=before, after=_state(row))
    return True


async def retire_reason(uow: UnitOfWork, *, actor: Actor, reason_id: int, retired: bool) -> bool:
    """Retires a reason (no longer offered) or restores it; returns whether anything changed."""
    _check(actor)
    row = await _row(uow, reason_id)
    if (row.retired_at is not None) == retired:
        return False
    before = _state(row)
    row.retired_at = session_now(uow.session) if retired else None
    await audit.record(uow.session, actor=actor,
                       action="beds.admission_reason_retired" if retired else "beds.admission_reason_restored",
                       object_type="admission_reason", object_id=row.id, before=before, after=_state(row))
    return True
