"""The IT contact's pages: the queue, placing an order, one order's checklist and its printable form.

A task's action comes back to the order page: on success through a redirect that names what was done, on a
refusal (a task that must wait, a missing reference or reason) as the page itself with the message next to the
task and what was typed kept, with the refusal's status (409, 422).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from accounts.models import Organisation
from app.kit.errors import Conflict, DomainError, NotFound, ValidationFailed
from app.kit.forms import MAX_ID, form_text, positive_id
from app.kit.i18n import _, translate
from app.kit.state import current_actor, services
from app.kit.templating import language_of, render
from app.provisioning.core import deadlines, request_pages, workflow
from app.provisioning.orders import group_queries, order_forms, order_queries, queries, references, waivers, working
from app.provisioning.orders.answers import AnswersInvalid
from app.provisioning.orders.order_forms import FormProblem, OrderForm
from app.provisioning.orders.placing import place_order

DONE_MESSAGES: Final = {
    "placed": _("The order is placed. Work through the checklist from the top."),
    "await_external": _("Marked as ordered: it waits for the confirmation."),
    "confirm": _("Confirmed."),
    "complete": _("Marked as done."),
    "skip": _("Marked as not applicable."),
    "proposed": _("Proposed as not applicable: an IT-order administrator confirms it before the tasks after it can "
                  "go on."),
    "fail": _("Marked as failed."),
    "retry": _("The task is back on the list to do."),
    "finished": _("Every task is settled: the order is done."),
}
ACTION_LABELS: Final = {
    "await_external": _("Ordered, waiting for confirmation"), "confirm": _("Confirm"), "complete": _("Done"),
    "skip": _("Not applicable"), "fail": _("Failed"), "retry": _("Retry"),
}
VIA_KINDS: Final = {"form": _("Form"), "portal": _("Portal"), "email": _("E-mail"), "in_person": _("In person"),
                    "system": _("Another system")}
CHECK_STATES: Final = {"met": _("Met"), "not_met": _("Not met"), "open": _("Open"),
                       "not_applicable": _("Not needed")}
NO_ACTION = _("No action")
NOTHING_LISTED = _("Nothing is listed for: {question}")
YES, NO = _("Yes"), _("No")
# The new-order form's fields that show their own mistakes; any other mistake is shown above the form.
SHOWN_FIELDS: Final = frozenset({"planned_date", "person", "full_name", "hsa_id", "subject_organisation_id", "note",
                                 "receiving_organisation_id"})
LABELS: Final = {"task_states": workflow.TASK_STATE_LABELS, "request_states": workflow.REQUEST_STATE_LABELS,
                 "action_labels": ACTION_LABELS, "via_kinds": VIA_KINDS, "check_states": CHECK_STATES,
                 "waiver_states": waivers.STATE_LABELS}


def order_id_of(request: Request) -> int:
    found: int = request.path_params["order_id"]  # the route's int converter has read it
    if found > MAX_ID:
        raise NotFound(_("There is no such order."))
    return found


def done_message(request: Request) -> str | None:
    return DONE_MESSAGES.get(request.query_params.get("done", ""))


async def zone_of(session: AsyncSession, organisation_id: int) -> ZoneInfo:
    """The zone an organisation's calendar counts in (its own, or its nearest ancestor's)."""
    return (await deadlines.calendar_of(session, organisation_id)).zone


def local_time(request: Request, zone: ZoneInfo) -> Callable[[datetime | None], str]:
    """Moments of an organisation counting in ``zone`` (an order's), for the page's reader: in the zone of the
    reader's organisation, in their language's date and a 24-hour time, followed by the reader's zone's name when
    it is not ``zone`` (request_pages.reader_time), so that a subcontractor or a fulfilling group in another zone
    knows the time was converted (issue 23 item 9)."""
    write = request_pages.reader_time(request)
    return lambda moment: write(moment, zone)


@requires(permissions.ORDERS_PLACE)
async def queue_page(request: Request) -> Response:
    app_services = services(request)
    async with app_services.unit_of_work() as uow:
        entries = await queries.queue(uow.session, current_actor(request), app_services.clock.now())
    orders = sorted({entry.order.id: entry.order for entry in entries}.values(),
                    key=lambda order: (order.view.order.planned_date, order.id))
    return render(request, "orders/queue.html", {"entries": entries, "orders": orders, **LABELS})


def _answer_text(value: object, language: str) -> str:
    if isinstance(value, bool):
        return translate(language, YES if value else NO)
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def answer_rows(view: order_queries.OrderView, language: str) -> list[tuple[str, str]]:
    """The answers given, as the question's label and the answer's (a choice's label, not its key)."""
    rows = []
    for key in view.checklist.event.asks:
        question = view.catalogue.questions[key]
        value = view.checklist.answers.get(key)
        if value is None:
            continue
        text = question.choice_label(str(value)) if question.type == "choice" else _answer_text(value, language)
        rows.append((question.label, text))
    return rows


def not_applicable_reasons(view: order_queries.OrderView, line: order_queries.TaskLine, language: str) -> list[str]:
    """Why a task is not applicable: the reason given when it was set aside, else what the catalogue says."""
    if line.task.note:
        return [line.task.note]
    generated = line.generated
    if generated.no_action:
        return [translate(language, NO_ACTION)]
    if generated.empty_for_each:
        question = view.catalogue.questions[generated.empty_for_each].label
        return [translate(language, NOTHING_LISTED, question=question)]
    return [check.explain(language) for check in generated.conditions if not check.met]


async def order_page(request: Request, order_id: int, *, template: str = "orders/order.html",
                     error: DomainError | None = None, error_key: str | None = None,
                     typed: Mapping[str, str] | None = None, status_code: int = 200) -> Response:
    app_services = services(request)
    language = language_of(request)
    async with app_services.unit_of_work() as uow:
        view = await order_queries.order_view(uow.session, current_actor(request), order_id, app_services.clock.now())
        zone = await zone_of(uow.session, view.request.organisation_id)
        who_has = await group_queries.who_has(uow.session, view)
        receiving = await uow.session.get(Organisation, view.order.receiving_organisation_id) \
            if view.order.receiving_organisation_id else None
    return render(request, template, {
        "who_has": who_has, "receiving": receiving,
        "view": view, "answers": answer_rows(view, language), "error": error, "error_key": error_key,
        "typed": dict(typed or {}), "done": _done(request, view), "at": local_time(request, zone),
        "reasons": lambda line: not_applicable_reasons(view, line, language),
        "NOT_APPLICABLE": workflow.NOT_APPLICABLE, **LABELS}, status_code=status_code)


def _done(request: Request, view: order_queries.OrderView) -> str | None:
    """A removal's "not applicable" only proposes it: say so instead of "Marked as not applicable"."""
    proposed = request.query_params.get("done") == "skip" and any(line.awaits_confirmation for line in view.lines)
    return DONE_MESSAGES["proposed"] if proposed else done_message(request)


@requires(permissions.ORDERS_PLACE)
async def order_detail(request: Request) -> Response:
    return await order_page(request, order_id_of(request))


@requires(permissions.ORDERS_PLACE)
async def order_print(request: Request) -> Response:
    return await order_page(request, order_id_of(request), template="orders/order_print.html")


@requires(permissions.ORDERS_PLACE)
async def act_on_task(request: Request) -> Response:
    order_id = order_id_of(request)
    task_key = request.path_params["task_key"]
    form = await form_text(request, "action", "external_reference", "reason")
    try:
        async with services(request).unit_of_work() as uow:
            finished = await working.act_on_task(
                uow, actor=current_actor(request), request_id=order_id, task_key=task_key, action=form["action"],
                external_reference=form["external_reference"] or None, reason=form["reason"] or None)
    except (ValidationFailed, Conflict) as error:
        return await order_page(request, order_id, error=error, error_key=task_key, typed=form,
                                status_code=error.status)
    done = "finished" if finished else form["action"]
    return RedirectResponse(f"/orders/{order_id}?done={done}#task-{task_key}", status_code=303)


def _person_param(request: Request) -> int | None:
    return positive_id(request.query_params.get("person", ""))


async def _new_order_page(request: Request, *, form: OrderForm | None = None, typed: Mapping[str, str] | None = None,
                          problems: Sequence[FormProblem] = (), error: DomainError | None = None,
                          status_code: int = 200) -> Response:
    person_id = _person_param(request)
    context: dict[str, Any] = {"form": form, "typed": dict(typed or {}), "error": error, "problems": {},
                               "general": [], "person_id": person_id}
    shown = {*form.event.asks, *SHOWN_FIELDS} if form is not None else set()
    for problem in problems:
        context["problems"].setdefault(problem.field, []).append(problem)
        if problem.field not in shown:
            context["general"].append(problem)
    if form is None:
        async with services(request).unit_of_work() as uow:
            context["choices"] = await order_forms.event_choices(uow.session, current_actor(request))
    return render(request, "orders/new_order.html", context, status_code=status_code)


@requires(permissions.ORDERS_PLACE)
async def new_order(request: Request) -> Response:
    """Step 1 (no event chosen yet): the catalogues' events; step 2: the chosen event's form."""
    catalogue_key = request.query_params.get("catalogue", "")
    event_key = request.query_params.get("event", "")
    if not catalogue_key or not event_key:
        return await _new_order_page(request)
    try:
        async with services(request).unit_of_work() as uow:
            form, typed = await order_forms.order_form(uow.session, current_actor(request), catalogue_key,
                                                       event_key, _person_param(request))
    except NotFound as missing:
        return await _new_order_page(request, error=missing, status_code=missing.status)
    return await _new_order_page(request, form=form, typed=typed)


@requires(permissions.ORDERS_PLACE)
async def place(request: Request) -> Response:
    actor = current_actor(request)
    chosen = await form_text(request, "catalogue", "event")
    try:
        async with services(request).unit_of_work() as uow:
            form, _prefilled = await order_forms.order_form(uow.session, actor, chosen["catalogue"], chosen["event"])
    except NotFound as missing:
        return await _new_order_page(request, error=missing, status_code=missing.status)
    typed = await form_text(request, *order_forms.field_names(form.event))
    draft, problems = order_forms.read_draft(form, typed)
    if not problems:
        try:
            async with services(request).unit_of_work() as uow:
                placed = await place_order(uow, actor=actor, draft=draft)
            return RedirectResponse(f"/orders/{placed.request_id}?done=placed", status_code=303)
        except AnswersInvalid as invalid:
            problems = [FormProblem(problem.question, problem.message, problem.params) for problem in invalid.problems]
        except ValidationFailed as refused:
            problems = [FormProblem(str(refused.details.get("field", "-")), refused.message, refused.params)]
        except references.OrderConflict as conflict:  # another open order, or what the register lists already
            return await _new_order_page(request, form=form, typed=typed, status_code=conflict.status, problems=[
                FormProblem("-", conflict.message, conflict.params)])
    return await _new_order_page(request, form=form, typed=typed, problems=problems, status_code=422)


routes: list[BaseRoute] = [
    Route("/orders", queue_page, methods=["GET"], name="orders_queue"),
    Route("/orders/new", new_order, methods=["GET"], name="orders_new"),
    Route("/orders/new", place, methods=["POST"], name="orders_place"),
    Route("/orders/{order_id:int}", order_detail, methods=["GET"], name="orders_order"),
    Route("/orders/{order_id:int}/print", order_print, methods=["GET"], name="orders_order_print"),
    Route("/orders/{order_id:int}/tasks/{task_key}", act_on_task, methods=["POST"], name="orders_task"),
]
