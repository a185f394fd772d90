"""What the request pages of the provisioning modules share: a request's list and page, its history from the audit
log, and the decisions posted from that page.

The licence and the roles modules drew these pages twice; now each keeps only what differs: its read models (which
also decide who may see a request), its columns and forms (``templates/_request_pages.html`` and the page and list
templates beside it hold the shared parts), its texts, and its decisions with their permissions. Nothing here
decides who may do what: the route guard checks the permission each module names, each module's read model and
each decision's service check the actor again, as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from accounts.guard import requires
from accounts.zones import zone_label
from app.kit.actors import Actor
from app.kit.audit import AuditEvent
from app.kit.db import UnitOfWork
from app.kit.errors import Conflict, DomainError, NotFound, ValidationFailed
from app.kit.forms import form_text, positive_id
from app.kit.i18n import _, format_moment
from app.kit.state import current_actor, reader_zone, services
from app.kit.templating import language_of, render
from app.provisioning.core import deadlines, workflow
from app.provisioning.core.models import ProvisioningRequest

NO_SUCH_REQUEST = _("There is no such request.")


class Zones:
    """The calendar zone of each organisation, looked up once per page (a list shows each row in its own)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._found: dict[int, ZoneInfo] = {}

    async def of(self, organisation_id: int) -> ZoneInfo:
        if organisation_id not in self._found:
            self._found[organisation_id] = (await deadlines.calendar_of(self._session, organisation_id)).zone
        return self._found[organisation_id]


MomentWriter = Callable[[datetime | None, ZoneInfo], str]


def reader_time(request: Request) -> MomentWriter:
    """Moments in the zone of the reader's organisation (``app/kit/state.py: reader_zone``), written the way the
    reader's language writes dates (``app/kit/i18n.py: format_moment``).

    The writer takes the zone of the organisation the moment belongs to (a request's); where it differs from the
    reader's, the time is followed by the zone it is shown in ("10 dic 2026, 08:00 (Europe/Bucharest)"), so that a
    reader of another zone's request (an auditor, a region's IT reading a care provider abroad) knows that the
    deadline was converted, not that it falls at that hour where the request was made.
    """
    language, zone_of_reader = language_of(request), reader_zone(request)

    def write(moment: datetime | None, zone: ZoneInfo) -> str:
        if moment is None:
            return ""
        shown = format_moment(moment, zone_of_reader, language)
        label = zone_label(zone, zone_of_reader)
        return shown if label is None else f"{shown} ({zone_of_reader.key})"

    return write


def path_id(request: Request, name: str = "request_id") -> int:
    found = positive_id(request.path_params[name])
    if found is None:
        raise NotFound(NO_SUCH_REQUEST)
    return found


# --- What every request's page shows ---


@dataclass(frozen=True)
class RequestFacts:
    """A request as every module's page states it: number, state, the reason given at its last step, when it was
    submitted and is due (in the zone of its organisation's calendar). A module's view adds its own fields."""

    id: int
    state: str
    state_label: str
    reason: str | None
    submitted_at: datetime | None
    due_at: datetime | None
    overdue: bool
    zone: ZoneInfo


async def request_facts(session: AsyncSession, request: ProvisioningRequest, now: datetime) -> dict[str, Any]:
    """The fields of ``RequestFacts`` by name, for a module's view to be built with: ``View(**facts, ...)``."""
    facts = RequestFacts(request.id, request.state, workflow.REQUEST_STATE_LABELS[request.state], request.reason,
                         request.submitted_at, request.due_at, deadlines.is_overdue(request, now),
                         (await deadlines.calendar_of(session, request.organisation_id)).zone)
    return {name.name: getattr(facts, name.name) for name in fields(facts)}


# --- The history ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    label: str
    text: str | None


async def request_history(session: AsyncSession, request_id: int, *, labels: Mapping[str, str],
                          task_ids: Iterable[int] = ()) -> tuple[HistoryEntry, ...]:
    """The audited steps of a request and of the given tasks, oldest first; ``labels`` names each action in the
    module's words (an action it does not name shows as itself)."""
    condition = and_(AuditEvent.object_type == "provisioning_request", AuditEvent.object_id == str(request_id))
    tasks = [str(task_id) for task_id in task_ids]
    if tasks:
        condition = or_(condition, and_(AuditEvent.object_type == "provisioning_task",
                                        AuditEvent.object_id.in_(tasks)))
    events = (await session.execute(select(AuditEvent).where(condition).order_by(AuditEvent.seq))).scalars()
    return tuple(HistoryEntry(event.at, event.actor, labels.get(event.action, event.action), _text_of(event))
                 for event in events)


def _text_of(event: AuditEvent) -> str | None:
    """A task's external reference; a request's reason, question or answer when the step set a new one."""
    after = event.after or {}
    if event.object_type == "provisioning_task":
        reference = after.get("external_reference")
        return str(reference) if reference else None
    reason = after.get("reason")
    return str(reason) if reason and reason != (event.before or {}).get("reason") else None


# --- The pages -----------------------------------------------------------------------------------------------


class ZonedView(Protocol):
    """A request's read model: the page shows its times in the zone of the request's organisation."""

    @property
    def zone(self) -> ZoneInfo: ...


ViewT = TypeVar("ViewT", bound=ZonedView)
RowT = TypeVar("RowT")
ReadOne = Callable[[AsyncSession, Actor, int, datetime], Awaitable[ViewT]]
ReadList = Callable[[AsyncSession, Actor, datetime], Awaitable[list[RowT]]]


async def list_page(request: Request, template: str, rows_of: ReadList[RowT], *, done: str | None) -> Response:
    """A list of requests; each row carries its organisation's zone, in which its times are shown."""
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        rows = await rows_of(uow.session, current_actor(request), app_services.clock.now())
    return render(request, template, {"rows": rows, "at": reader_time(request), "done": done})


async def read_view(request: Request, view_of: ReadOne[ViewT], request_id: int) -> ViewT:
    """The module's read model of one request, which refuses those who may not see it."""
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        return await view_of(uow.session, current_actor(request), request_id, app_services.clock.now())


def detail_response(request: Request, template: str, view: ZonedView, *, done: str | None,
                    error: DomainError | None = None, typed: Mapping[str, str] | None = None,
                    status_code: int = 200, **extra: Any) -> Response:
    """A request's page: the view, the confirmation of the last step (``?done=``) or the reason a step was
    refused, with what was typed in its form, and times in the request's zone."""
    return render(request, template, {
        "view": view, "error": error, "typed": dict(typed or {}), "done": done,
        "at": lambda moment: reader_time(request)(moment, view.zone), **extra}, status_code=status_code)


# --- The decisions -------------------------------------------------------------------------------------------

Decision = Callable[[UnitOfWork, Actor, int, str], Awaitable[object]]


class DetailPage(Protocol):
    """A module's page of one request, drawn again with a refused step's reason and what was typed."""

    async def __call__(self, request: Request, request_id: int, *, error: DomainError | None = None,
                       typed: Mapping[str, str] | None = None, status_code: int = 200) -> Response: ...


@dataclass(frozen=True)
class RequestPages:
    """Where a module's request pages live: a request's page is ``{url}/{id}``, drawn by ``page``."""

    url: str
    page: DetailPage

    async def decide(self, request: Request, decision: Decision, *, field: str = "", done: str) -> Response:
        """Runs one decision on the request of the path, with the text of ``field`` (a reason, a question...).

        The decision's service checks the actor's permission; a refused or invalid step comes back to the
        request's page with the reason and the text typed (its unit of work rolled back: nothing changed).
        A step that went through redirects to the page with ``?done=``, so a reload does not send it again.
        """
        request_id = path_id(request)
        text = (await form_text(request, field))[field] if field else ""
        try:
            async with services(request).unit_of_work() as uow:
                await decision(uow, current_actor(request), request_id, text)
        except (ValidationFailed, Conflict) as error:
            return await self.page(request, request_id, error=error, typed={field: text} if field else None,
                                   status_code=error.status)
        return RedirectResponse(f"{self.url}/{request_id}?done={done}", status_code=303)

    def decision(self, path: str, decision: Decision, *, permission: str, done: str, name: str,
                 field: str = "") -> Route:
        """The route of one decision: a POST to ``path`` by those whose roles grant ``permission`` (its service
        checks the actor again, against the request's scope), run as ``decide`` runs it."""

        @requires(permission)
        async def endpoint(request: Request) -> Response:
            return await self.decide(request, decision, field=field, done=done)

        return Route(path, endpoint, methods=["POST"], name=name)
