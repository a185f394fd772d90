"""The alerts' JSON API (``/api/v1/alerts``): rules and open alerts, for the board's script and for scripts with a
session. Routes parse and call the services, which check the rules again."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.beds.alerts import firing, notices, rules
from app.beds.alerts.api_bodies import RuleChange, rule_refusal
from app.kit.api_bodies import read_body
from app.kit.api_parsing import parse_id
from app.kit.state import current_actor, services


def draft_of(change: RuleChange) -> rules.RuleDraft:
    return rules.RuleDraft(kind=change.kind, section_type_id=change.section_type_id,
                           hospital_ids=tuple(change.hospital_ids), threshold=change.threshold,
                           hysteresis=change.hysteresis, email=change.email)


@requires(permissions.ALERTS_MANAGE)
async def list_rules(request: Request) -> Response:
    async with services(request).unit_of_work() as uow:
        found = await rules.rules_of(uow.session, actor=current_actor(request))
        return JSONResponse({"rules": [rules.rule_json(rule) for rule in found]})


@requires(permissions.ALERTS_MANAGE)
async def create_rule(request: Request) -> Response:
    change = await read_body(request, RuleChange, rule_refusal)
    async with services(request).unit_of_work() as uow:
        rule = await rules.create_rule(uow, actor=current_actor(request), draft=draft_of(change))
        answer = rules.rule_json(rule)
    return JSONResponse(answer, status_code=201)


@requires(permissions.ALERTS_MANAGE)
async def delete_rule(request: Request) -> Response:
    rule_id = parse_id(request.path_params["rule_id"], field="rule_id")
    async with services(request).unit_of_work() as uow:
        await rules.delete_rule(uow, actor=current_actor(request), rule_id=rule_id)
    return Response(status_code=204)


@requires(permissions.ALERTS_MANAGE)
async def list_alerts(request: Request) -> Response:
    async with services(request).unit_of_work() as uow:
        found = await notices.open_alerts_of(uow.session, current_actor(request))
    return JSONResponse({"alerts": found})


@requires(permissions.ALERTS_MANAGE)
async def acknowledge(request: Request) -> Response:
    alert_id = parse_id(request.path_params["alert_id"], field="alert_id")
    async with services(request).unit_of_work() as uow:
        alert = await firing.acknowledge(uow, actor=current_actor(request), alert_id=alert_id)
        answer = firing.alert_json(alert)
    return JSONResponse(answer)


routes: list[BaseRoute] = [
    Route("/api/v1/alerts/rules", list_rules, methods=["GET"], name="api_alert_rules"),
    Route("/api/v1/alerts/rules", create_rule, methods=["POST"], name="api_alert_rule_create"),
    Route("/api/v1/alerts/rules/{rule_id}", delete_rule, methods=["DELETE"], name="api_alert_rule_delete"),
    Route("/api/v1/alerts", list_alerts, methods=["GET"], name="api_alerts"),
    Route("/api/v1/alerts/{alert_id}/acknowledge", acknowledge, methods=["POST"], name="api_alert_acknowledge"),
]
