"""The IT orders as the JSON API answers them, in the shapes api_answers.py declares.

Catalogue texts (system, action and event names, labels) are the catalogue's own Swedish words and go out as
written; the messages bedboard itself writes (lead-time verdicts, start-up checks, states, answer problems) are
translated for the caller, with the code or status beside them for programs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from accounts.models import Organisation
from app.kit.i18n import translate
from app.provisioning.core import workflow
from app.provisioning.orders import api_answers
from app.provisioning.orders.answers import AnswersInvalid
from app.provisioning.orders.catalogue.definitions import Channel
from app.provisioning.orders.checks import CheckResult
from app.provisioning.orders.group_queries import WhoHasIt
from app.provisioning.orders.lead_time import LeadTimeVerdict
from app.provisioning.orders.order_queries import OrderView, TaskLine
from app.provisioning.orders.queries import OrderSummary, QueueEntry
from app.provisioning.orders.register import Access


def named_json(organisation: Organisation) -> api_answers.Named:
    return {"id": organisation.id, "name": organisation.name}


def organisation_json(organisation: Organisation | None) -> api_answers.Named | None:
    return None if organisation is None else named_json(organisation)


def lead_time_json(verdict: LeadTimeVerdict | None, language: str) -> api_answers.OrderLeadTime | None:
    if verdict is None:  # the event names no lead time, or the order is no longer open
        return None
    return {"status": verdict.status, "available_days": verdict.available_days,
            "order_by": verdict.order_by.isoformat(),
            "message": translate(language, verdict.message, **verdict.params)}


def check_json(result: CheckResult, language: str) -> api_answers.OrderCheck:
    return {"key": result.check.key, "name": result.check.name, "status": result.status,
            "message": translate(language, result.message, **result.params)}


def via_json(channel: Channel | None) -> api_answers.TaskChannel | None:
    if channel is None:
        return None
    return {"kind": channel.kind, "label": channel.label, "url": channel.url,
            "email": channel.contact.email if channel.contact else None}


def task_json(line: TaskLine, language: str, who: WhoHasIt | None = None) -> api_answers.OrderTask:
    """``who``: the task's fulfilling group and holder (``group_queries.who_has``); None in a catalogue without
    groups."""
    task = line.generated
    return {
        "key": line.task.key, "label": line.label, "system": task.system, "system_name": task.system_name,
        "action": task.action, "action_name": task.action_name, "item": task.item, "who": task.who,
        "who_name": task.who_name, "party": task.party_name, "state": line.state,
        "state_name": translate(language, workflow.TASK_STATE_LABELS[line.state]),
        "external_reference": line.task.external_reference, "note": line.task.note, "blocked": line.blocked,
        "waiting_on": list(line.waiting_on), "depends_on": list(task.depends_on), "applies": task.applies,
        "actions": list(line.actions), "via": via_json(task.via),
        "links": [{"label": link.label, "url": link.url} for link in task.links],
        "waiver": None if line.waiver is None else {
            "state": line.waiver.state, "reason": line.waiver.reason, "proposed_by": line.waiver.proposed_by,
            "decided_by": line.waiver.decided_by, "note": line.waiver.note},
        "group": None if who is None or who.group_key is None or who.group is None else {
            "key": who.group_key, "name": who.group},
        "holder": None if who is None or who.holder is None else {"name": who.holder},
        "queued": who is not None and who.queued,
    }


def _heading(view: OrderView, language: str) -> api_answers.OrderHeading:
    """What an order and its summary share: which order, about whom, in which state, how urgent."""
    request, order = view.request, view.order
    return {
        "id": request.id,
        "catalogue": {"key": order.catalogue_key, "version": order.catalogue_version, "name": view.catalogue.name},
        "event": {"key": view.checklist.event.key, "name": view.checklist.event.name},
        "state": request.state, "state_name": translate(language, workflow.REQUEST_STATE_LABELS[request.state]),
        "planned_date": order.planned_date.isoformat(), "overdue": view.overdue,
        "person": None if view.person is None else {"id": view.person.id, "full_name": view.person.full_name},
        "organisation": named_json(view.organisation),
        "subject_organisation": organisation_json(view.subject),
        "lead_time": lead_time_json(view.lead_time, language),
    }


def order_json(view: OrderView, language: str, who_has: Mapping[str, WhoHasIt],
               receiving: Organisation | None) -> api_answers.Order:
    """``who_has`` by task key (``group_queries.who_has``); ``receiving``: a handover's organisation taking over."""
    return {
        **_heading(view, language),
        "created_at": view.request.created_at.isoformat(), "note": view.order.note,
        "answers": dict(view.order.answers), "may_work": view.may_work,
        "checks": [check_json(result, language) for result in view.checks],
        "tasks": [task_json(line, language, who_has.get(line.task.key)) for line in view.lines],
        "left_in_register": [access_json(access) for access in view.left_in_register],
        "date_notices": [translate(language, notice.message, **notice.params) for notice in view.date_notices],
        "receiving_organisation": organisation_json(receiving),
    }


def summary_json(summary: OrderSummary, language: str) -> api_answers.OrderSummary:
    return {**_heading(summary.view, language), "title": summary.title, "open_tasks": summary.view.open_count}


def queue_json(entries: Sequence[QueueEntry], language: str) -> api_answers.OrderQueue:
    return {"tasks": [{
        "order_id": entry.order.id, "due": entry.due.isoformat(), "overdue": entry.overdue,
        "title": entry.order.title,
        "event": {"key": entry.order.view.checklist.event.key, "name": entry.order.view.checklist.event.name},
        "task": entry.line.task.key, "label": entry.line.label, "system": entry.line.generated.system,
        "action": entry.line.generated.action, "state": entry.line.state,
        "state_name": translate(language, workflow.TASK_STATE_LABELS[entry.line.state]),
        "blocked": entry.line.blocked, "waiting_on": list(entry.line.waiting_on),
    } for entry in entries]}


def access_json(access: Access) -> api_answers.HeldAccess:
    return {"catalogue": access.catalogue, "system": access.system, "system_name": access.system_name,
            "item": access.item, "since": access.since.isoformat(), "order_id": access.order_id}


def answer_problems(error: AnswersInvalid, language: str) -> list[api_answers.AnswerProblem]:
    """Each problem with its question key, its message in the caller's language and what the message names."""
    return [{"question": problem.question, "message": translate(language, problem.message, **problem.params),
             "params": dict(problem.params)} for problem in error.problems]
