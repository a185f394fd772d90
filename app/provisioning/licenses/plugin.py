"""How the licence module plugs into the app: its pages, the usage feed's API, its navigation entries, and
the job that warns about, then takes back, unused licences."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from accounts import permissions
from app.kit.actors import Actor
from app.kit.i18n import _
from app.kit.plugins import Job, JobContext, NavItem, Plugin
from app.provisioning.licenses import cli, report_routes, routes, usage_api, usage_routes
from app.provisioning.licenses.audited_objects import AUDITED_OBJECTS
from app.provisioning.licenses.demo import DEMO
from app.provisioning.licenses.usage import sweep_unused


async def _unused(context: JobContext) -> str:
    async with context.unit_of_work() as uow:
        report = await sweep_unused(uow, actor=Actor.system())
    return f"{report.warned} warned, {report.deactivated} deactivated"


UNUSED_LICENCES = Job("licenses.unused", timedelta(hours=1),
                      "warn a week ahead, then deactivate licences unused for a month", _unused)

PLUGIN = Plugin(
    name="licenses",
    routes=[*usage_api.routes, *usage_routes.routes, *report_routes.routes, *routes.routes],
    navigation=[
        NavItem(_("Licence requests"), "/licenses/requests", permissions.LICENSES_REQUEST, 100),
        NavItem(_("Licences"), "/licenses", permissions.LICENSES_REQUEST, 110),
        NavItem(_("Licence queue"), "/licenses/queue", permissions.LICENSES_DECIDE, 120),
        NavItem(_("Licence pool"), "/licenses/pool", permissions.LICENSES_DECIDE, 130),
        NavItem(_("Licence use"), "/licenses/usage", permissions.LICENSES_DECIDE, 140),
        NavItem(_("Reports"), "/licenses/reports", permissions.LICENSES_DECIDE, 150),
        NavItem(_("Help-desk tickets"), "/licenses/tickets", permissions.LICENSES_SUPPORT, 160),
    ],
    template_dirs=[Path(__file__).resolve().parent / "templates"],
    jobs=[UNUSED_LICENCES],
    commands=[cli.COMMAND],
    demo=DEMO,
    audit_objects=AUDITED_OBJECTS,
)
