"""What the licence pages list: requests (the referent's, the officer's queue, the help desk's tickets),
licences, the pool, and the organisations a referent may ask for. Read only; scope.py decides what is seen.

Times stay aware UTC datetimes; each row carries the time zone of its organisation's calendar, in which the
page shows them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation, User
from app.kit.actors import Actor
from app.notifications.notify import organisation_ids_under
from app.provisioning.core import deadlines, workflow
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.core.request_pages import Zones
from app.provisioning.licenses import kinds, scope
from app.provisioning.licenses.models import ACTIVE, DEACTIVATED, License, LicensePool, LicenseSubject

LIST_LIMIT = 500
RECLAIMED = "unused"  # the automatic sweep's reason: the seat went back to the pool


@dataclass(frozen=True)
class RequestRow:
    id: int
    kind: str
    kind_label: str
    organisation_name: str
    requester_name: str
    state: str
    state_label: str
    submitted_at: datetime | None
    due_at: datetime | None
    overdue: bool
    zone: ZoneInfo
    about_name: str | None  # the licence holder, for requests about an existing licence


async def organisation_names(session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted)))
    return {organisation_id: name for organisation_id, name in rows.all()}


async def _user_names(session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await session.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    return {user_id: name for user_id, name in rows.all()}


async def _subject_names(session: AsyncSession, request_ids: list[int]) -> dict[int, str]:
    if not request_ids:
        return {}
    rows = await session.execute(select(LicenseSubject.request_id, License.full_name)
                                 .join(License, License.id == LicenseSubject.license_id)
                                 .where(LicenseSubject.request_id.in_(request_ids)))
    return {request_id: name for request_id, name in rows.all()}


async def request_rows(session: AsyncSession, actor: Actor, now: datetime, *, kind_codes: Iterable[str],
                       states: Iterable[str] | None = None) -> list[RequestRow]:
    """The actor's requests of these kinds (in these states), overdue first, then by due time, then newest."""
    reach = await scope.reach_of(session, actor)
    # The help desk sees tickets only; licence requests are between referents and officers.
    visible = [code for code in kind_codes if reach.role != kinds.HELPDESK or code == kinds.SUPPORT.code]
    statement = (select(ProvisioningRequest)
                 .where(ProvisioningRequest.kind.in_(visible),
                        ProvisioningRequest.organisation_id.in_(list(reach.organisation_ids)))
                 .order_by(ProvisioningRequest.id.desc()).limit(LIST_LIMIT))
    if states is not None:
        statement = statement.where(ProvisioningRequest.state.in_(list(states)))
    found = list((await session.execute(statement)).scalars())
    names = await organisation_names(session, (row.organisation_id for row in found))
    people = await _user_names(session, (row.requester_id for row in found))
    subjects = await _subject_names(session, [row.id for row in found])
    zones = Zones(session)
    rows = [RequestRow(row.id, row.kind, kinds.LICENSE_KINDS[row.kind].label, names.get(row.organisation_id, ""),
                       people.get(row.requester_id, ""), row.state, workflow.REQUEST_STATE_LABELS[row.state],
                       row.submitted_at, row.due_at, deadlines.is_overdue(row, now),
                       await zones.of(row.organisation_id), subjects.get(row.id))
            for row in found]
    return sorted(rows, key=_urgency)


def _urgency(row: RequestRow) -> tuple[bool, bool, datetime, int]:
    far = datetime.max.replace(tzinfo=row.due_at.tzinfo) if row.due_at else datetime.max
    open_first = row.state not in workflow.OPEN_STATES
    return (not row.overdue, open_first, row.due_at or far, -row.id)


async def referent_requests(session: AsyncSession, actor: Actor, now: datetime) -> list[RequestRow]:
    return await request_rows(session, actor, now, kind_codes=kinds.LICENSE_KINDS)


async def officer_queue(session: AsyncSession, actor: Actor, now: datetime) -> list[RequestRow]:
    """Submitted requests the officer decides on: overdue first and marked, then by due time."""
    officer_kinds = [code for code, kind in kinds.LICENSE_KINDS.items() if kind.handler_role == kinds.OFFICER]
    return await request_rows(session, actor, now, kind_codes=officer_kinds, states=[workflow.SUBMITTED])


async def officer_open_work(session: AsyncSession, actor: Actor, now: datetime) -> list[RequestRow]:
    """Accepted requests still in progress or waiting for their requester (the referent's steps remain)."""
    officer_kinds = [code for code, kind in kinds.LICENSE_KINDS.items() if kind.handler_role == kinds.OFFICER]
    return await request_rows(session, actor, now, kind_codes=officer_kinds,
                              states=[workflow.IN_PROGRESS, workflow.WAITING_FOR_REQUESTER])


async def helpdesk_tickets(session: AsyncSession, actor: Actor, now: datetime) -> list[RequestRow]:
    return await request_rows(session, actor, now, kind_codes=[kinds.SUPPORT.code])


async def requesting_organisations(session: AsyncSession, actor: Actor) -> list[tuple[int, str]]:
    """The commune and establishments a referent may ask for, their own first."""
    reach = await scope.reach_of(session, actor)
    scope.require_role(reach, kinds.REFERENT)
    rows = await session.execute(select(Organisation.id, Organisation.name)
                                 .where(Organisation.id.in_(list(reach.organisation_ids)),
                                        Organisation.kind.in_(list(scope.REQUESTING_KINDS)))
                                 .order_by(Organisation.name))
    found = [(organisation_id, name) for organisation_id, name in rows.all()]
    return sorted(found, key=lambda item: item[0] != actor.organisation_id)


@dataclass(frozen=True)
class LicenceRow:
    id: int
    full_name: str
    run: str
    organisation_name: str
    state: str
    last_used_at: datetime | None
    activated_at: datetime
    deactivated_at: datetime | None
    deactivation_reason: str | None
    open_request_ids: tuple[int, ...]
    zone: ZoneInfo


async def referent_licences(session: AsyncSession, actor: Actor) -> list[LicenceRow]:
    reach = await scope.reach_of(session, actor)
    scope.require_role(reach, kinds.REFERENT)
    found = list((await session.execute(
        select(License).where(License.organisation_id.in_(list(reach.organisation_ids)))
        .order_by(License.state, License.full_name).limit(LIST_LIMIT))).scalars())
    names = await organisation_names(session, (row.organisation_id for row in found))
    open_requests: dict[int, list[int]] = {}
    if found:
        rows = await session.execute(
            select(LicenseSubject.license_id, ProvisioningRequest.id)
            .join(ProvisioningRequest, ProvisioningRequest.id == LicenseSubject.request_id)
            .where(LicenseSubject.license_id.in_([row.id for row in found]),
                   ProvisioningRequest.state.in_(list(workflow.OPEN_STATES))))
        for license_id, request_id in rows.all():
            open_requests.setdefault(license_id, []).append(request_id)
    zones = Zones(session)
    return [LicenceRow(row.id, row.full_name, row.run, names.get(row.organisation_id, ""), row.state,
                       row.last_used_at, row.activated_at, row.deactivated_at, row.deactivation_reason,
                       tuple(sorted(open_requests.get(row.id, []))), await zones.of(row.organisation_id))
            for row in found]


@dataclass(frozen=True)
class PoolLine:
    organisation_name: str
    active: int
    reclaimed: int
    deactivated: int  # for any other reason (the professional left)


@dataclass(frozen=True)
class PoolView:
    service_name: str
    size: int | None  # None: no pool configured, the service does not limit its licences
    used: int
    lines: list[PoolLine]

    @property
    def free(self) -> int | None:
        return None if self.size is None else max(self.size - self.used, 0)


async def pool_view(session: AsyncSession, actor: Actor) -> PoolView:
    """Per commune (its establishments included): active, reclaimed by the sweep, otherwise deactivated."""
    reach = await scope.reach_of(session, actor)
    scope.require_role(reach, kinds.OFFICER)
    assert reach.service_id is not None  # reach_of refuses an officer outside a health service
    service = await session.get(Organisation, reach.service_id)
    pool = await session.get(LicensePool, reach.service_id)
    communes = list((await session.execute(
        select(Organisation).where(Organisation.parent_id == reach.service_id, Organisation.kind == "commune")
        .order_by(Organisation.name))).scalars())
    lines = [await _pool_line(session, commune) for commune in communes]
    used = await session.scalar(select(func.count()).select_from(License).where(
        License.state == ACTIVE, License.organisation_id.in_(list(reach.organisation_ids)))) or 0
    return PoolView(service.name if service else "", pool.size if pool else None, int(used), lines)


async def _pool_line(session: AsyncSession, commune: Organisation) -> PoolLine:
    under = await organisation_ids_under(session, commune.id)
    rows = await session.execute(
        select(License.state, License.deactivation_reason, func.count())
        .where(License.organisation_id.in_(under)).group_by(License.state, License.deactivation_reason))
    active = reclaimed = deactivated = 0
    for state, reason, count in rows.all():
        if state == ACTIVE:
            active += count
        elif state == DEACTIVATED and reason == RECLAIMED:
            reclaimed += count
        else:
            deactivated += count
    return PoolLine(commune.name, active, reclaimed, deactivated)
