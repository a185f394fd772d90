"""The demo's alert rules: SAMB's administrators watch the city's intensive care (an authority rule, "ICU below 2"),
and SAMB's coordinator is told of every closure and reopening (a rule of their own). Added once."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from accounts.models import User
from app.beds.alerts.models import AlertRule
from app.beds.alerts.rules import RuleDraft, create_rule
from app.beds.models import SectionType
from app.kit.actors import Actor
from app.kit.db import UnitOfWork
from app.kit.demo_data import Demo

RULES = (("admin.samb", "admin", "below"), ("coord.samb", "coordinator", "admission"))


async def _after_users(uow: UnitOfWork, actor: Actor, organisations: Mapping[str, int]) -> None:
    session = uow.session
    if await session.scalar(select(AlertRule.id).limit(1)) is not None or "SAMB" not in organisations:
        return
    icu = await session.scalar(select(SectionType.id).where(SectionType.code == "icu"))
    for username, role, kind in RULES:
        user_id = await session.scalar(select(User.id).where(User.username == username))
        if user_id is None or (kind == "below" and icu is None):
            continue
        owner = Actor(username=username, source=actor.source, user_id=user_id, organisation_id=organisations["SAMB"],
                      organisation_code="SAMB", organisation_kind="authority", roles=frozenset({role}))
        draft = RuleDraft(kind=kind, section_type_id=icu, threshold=2) if kind == "below" else RuleDraft(kind=kind)
        await create_rule(uow, actor=owner, draft=draft)


DEMO = Demo(after_users=_after_users)
