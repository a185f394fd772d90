"""How the provisioning core plugs into the app: the templates the three modules share, and the sweep that
tells handlers of late requests."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from app.kit.actors import Actor
from app.kit.plugins import Job, JobContext, Plugin
from app.provisioning.core import cli
from app.provisioning.core.audited_objects import AUDITED_OBJECTS
from app.provisioning.core.overdue import sweep_overdue


async def _overdue(context: JobContext) -> str:
    async with context.unit_of_work() as uow:
        report = await sweep_overdue(uow, actor=Actor.system(), zone=context.settings.zone)
    return f"{report.newly_overdue} newly overdue, {report.digests} digest(s)"


OVERDUE = Job("provisioning.overdue", timedelta(minutes=15),
              "tell handlers of requests past their due time; the daily digest", _overdue)

PLUGIN = Plugin(
    name="provisioning",
    template_dirs=[Path(__file__).resolve().parents[1] / "templates"],
    jobs=[OVERDUE],
    commands=[cli.COMMAND],
    audit_objects=AUDITED_OBJECTS,
)
