"""The alert rules page (``/board/alerts``): a person's rules and their authority's, a form to add one, and the
open alerts with their times in the reader's zone. Plain forms (CSRF), working without JavaScript."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.beds import queries
from app.beds.alerts import firing, notices, rules
from app.beds.alerts.audience import viewer_audience
from app.beds.alerts.models import Alert, AlertRule
from app.beds.alerts.wording import describe
from app.kit.api_parsing import parse_id
from app.kit.errors import ValidationFailed
from app.kit.i18n import _
from app.kit.state import current_actor, services
from app.kit.templating import language_of, render

KIND_LABELS = {
    "below": _("Free beds of a section type fall below a number"),
    "admission": _("A hospital or section closes or reopens"),
    "negative": _("A section's count goes negative"),
    "overdue": _("A section is overdue for its update"),
}


def _number(form: FormData, name: str, default: int | None) -> int | None:
    raw = form.get(name)
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        raise ValidationFailed(_("{field} must be a whole number."), details={"field": name}, field=name)
    return int(text)


def draft_of(form: FormData) -> rules.RuleDraft:
    kind = form.get("kind")
    hospital_ids = tuple(parse_id(raw, field="hospital_ids") for raw in form.getlist("hospital_ids")
                         if isinstance(raw, str) and raw)
    return rules.RuleDraft(kind=kind if isinstance(kind, str) else "",
                           section_type_id=_number(form, "section_type_id", None), hospital_ids=hospital_ids,
                           threshold=_number(form, "threshold", None), hysteresis=_number(form, "hysteresis", 1) or 0,
                           email=form.get("email") == "1")


def _rule_row(rule: AlertRule, type_names: dict[int, str], hospital_names: dict[int, str]) -> dict[str, Any]:
    return {"rule": rule, "kind": KIND_LABELS[rule.kind],
            "section_type": type_names.get(rule.section_type_id or 0, ""),
            "hospitals": [hospital_names.get(hospital_id, str(hospital_id)) for hospital_id in rule.hospital_ids]}


async def _page(request: Request, *, error: ValidationFailed | None = None, status_code: int = 200) -> Response:
    actor = current_actor(request)
    language = language_of(request)
    async with services(request).unit_of_work() as uow:
        found = await rules.rules_of(uow.session, actor=actor)
        section_types = await queries.section_types(uow.session)
        hospitals = await queries.hospitals(uow.session, actor=actor)
        open_alerts: list[Alert] = await notices.open_alerts(uow.session, viewer_audience(actor))
    name_key = "name_ro" if language == "ro" else "name_en"
    type_names = {row["id"]: row[name_key] for row in section_types}
    hospital_names = {row["id"]: row["name"] for row in hospitals}
    return render(request, "alert_rules.html", {
        "rules": [_rule_row(rule, type_names, hospital_names) for rule in found],
        "may_delete": {rule.id: rules.may_delete(actor, rule) for rule in found},
        "scope": rules.scope_of(actor), "kinds": KIND_LABELS, "error": error,
        "section_types": sorted(type_names.items(), key=lambda pair: pair[1]),
        "hospitals": sorted(hospital_names.items(), key=lambda pair: pair[1]),
        "alerts": [{"alert": alert, "text": describe(alert.kind, alert.details, language)} for alert in open_alerts],
    }, status_code=status_code)


@requires(permissions.ALERTS_MANAGE)
async def rules_page(request: Request) -> Response:
    return await _page(request)


@requires(permissions.ALERTS_MANAGE)
async def add_rule(request: Request) -> Response:
    try:
        draft = draft_of(await request.form())
        async with services(request).unit_of_work() as uow:
            await rules.create_rule(uow, actor=current_actor(request), draft=draft)
    except ValidationFailed as error:
        return await _page(request, error=error, status_code=error.status)
    return RedirectResponse("/board/alerts?added=1", status_code=303)


@requires(permissions.ALERTS_MANAGE)
async def remove_rule(request: Request) -> Response:
    rule_id = parse_id(request.path_params["rule_id"], field="rule_id")
    async with services(request).unit_of_work() as uow:
        await rules.delete_rule(uow, actor=current_actor(request), rule_id=rule_id)
    return RedirectResponse("/board/alerts", status_code=303)


@requires(permissions.ALERTS_MANAGE)
async def acknowledge(request: Request) -> Response:
    alert_id = parse_id(request.path_params["alert_id"], field="alert_id")
    async with services(request).unit_of_work() as uow:
        await firing.acknowledge(uow, actor=current_actor(request), alert_id=alert_id)
    return RedirectResponse("/board/alerts", status_code=303)


routes: list[BaseRoute] = [
    Route("/board/alerts", rules_page, methods=["GET"], name="alert_rules"),
    Route("/board/alerts", add_rule, methods=["POST"], name="alert_rule_add"),
    Route("/board/alerts/rules/{rule_id}/delete", remove_rule, methods=["POST"], name="alert_rule_delete"),
    Route("/board/alerts/{alert_id}/acknowledge", acknowledge, methods=["POST"], name="alert_acknowledge"),
]
