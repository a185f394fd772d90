"""Demo data for the licence module (seed 000): the SSMSO health service, its digital-health unit, the five
communes with an establishment each, the referent, officer and help-desk logins, a pool, licences in every state and
requests waiting for each role.

Loaded once: when the service already has a pool, nothing is added (an existing installation is never
touched).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from accounts.sessions import actor_for
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.demo_data import Demo, DemoOrganisation, DemoUser
from app.provisioning.core.setup import set_calendar
from app.provisioning.licenses import deciding, requesting
from app.provisioning.licenses.models import ACTIVE, DEACTIVATED, License, LicensePool

SERVICE_CODE = "SSMSO"
POOL_SIZE = 40
COMMUNES = (("LA-FLORIDA", "La Florida"), ("LA-PINTANA", "La Pintana"), ("PIRQUE", "Pirque"),
            ("SJ-MAIPO", "San José de Maipo"), ("SAN-RAMON", "San Ramón"))
# Licences already in use: (commune, RUN, name, gender, days since last use or None = never, state).
LICENCES = (
    ("LA-FLORIDA", "12345678-5", "Alba Plaza Santelices", "female", 2, ACTIVE),
    ("LA-FLORIDA", "10000013-K", "Juan de la Fuente Rojas", "male", 26, ACTIVE),
    ("LA-PINTANA", "11111111-1", "María José Núñez Cárcamo", "female", None, ACTIVE),
    ("PIRQUE", "15555555-6", "Pedro Soto Valdivia", "male", 45, DEACTIVATED),
)


def licence_organisations() -> list[tuple[str, str, str, str | None]]:
    """(code, name, kind, parent code), parents first."""
    rows: list[tuple[str, str, str, str | None]] = [
        (SERVICE_CODE, "Servicio de Salud Metropolitano Sur Oriente", "health_service", None),
        ("SSMSO-USD", "Unidad de Salud Digital SSMSO", "digital_health_unit", SERVICE_CODE),
    ]
    for code, name in COMMUNES:
        rows.append((code, f"Comuna de {name}", "commune", SERVICE_CODE))
        rows.append((f"CESFAM-{code}", f"CESFAM {name}", "establishment", code))
    return rows


async def ensure_licence_demo(uow: UnitOfWork, actor: Actor, organisations: Mapping[str, int]) -> None:
    session = uow.session
    service_id = organisations[SERVICE_CODE]
    if await session.get(LicensePool, service_id) is not None:
        return
    # The health service's holidays and time zone (the organisation's, inherited by its communes and establishments).
    await set_calendar(session, actor=actor, organisation_code=SERVICE_CODE, country="CL", subdivision=None,
                       timezone="America/Santiago")
    session.add(LicensePool(organisation_id=service_id, size=POOL_SIZE))
    await session.flush()
    await audit.record(session, actor=actor, action="licenses.pool_set", object_type="organisation",
                       object_id=service_id, after={"size": POOL_SIZE, "calendar": "CL", "zone": "America/Santiago"})
    now = session_now(session)
    for commune, run, name, gender, idle_days, state in LICENCES:
        activated = now - timedelta(days=60)
        licence = License(organisation_id=organisations[commune], run=run, full_name=name, gender=gender,
                          state=state, created_at=activated, activated_at=activated, version=1,
                          last_used_at=None if idle_days is None else now - timedelta(days=idle_days),
                          deactivated_at=now - timedelta(days=15) if state == DEACTIVATED else None,
                          deactivation_reason="unused" if state == DEACTIVATED else None)
        session.add(licence)
        await session.flush()
        await audit.record(session, actor=actor, action="licenses.created", object_type="license",
                           object_id=licence.id, after={"run": run, "full_name": name, "state": state})
    await _demo_requests(uow, organisations)


async def _demo_requests(uow: UnitOfWork, organisations: Mapping[str, int]) -> None:
    """One request waiting for the officer, one accepted with the referent's steps still to do."""
    session = uow.session
    referent = await _actor(session, "ref.laflorida")
    officer = await _actor(session, "officer.ssmso")
    if referent is None or officer is None:
        return
    await requesting.submit_new(uow, actor=referent, organisation_id=organisations["LA-FLORIDA"],
                                entries=[(1, "Carolina Fuentes Araya", "16666666-K", "Femenino"),
                                         (2, "Tomás Herrera del Río", "17777777-3", "Masculino")])
    accepted = await requesting.submit_new(uow, actor=referent, organisation_id=organisations["CESFAM-LA-FLORIDA"],
                                           entries=[(1, "Ignacio Morales Vega", "18888888-7", "Masculino")])
    await deciding.accept(uow, actor=officer, request_id=accepted.id)


async def _actor(session: AsyncSession, username: str) -> Actor | None:
    user = await session.scalar(select(User).where(User.username == username))
    return None if user is None else await actor_for(session, user, source="cli", client_address=None)


DEMO = Demo(
    organisations=[DemoOrganisation(*row) for row in licence_organisations()],
    users=[
        DemoUser("ref.laflorida", "Referente La Florida (demo)", "referent", "LA-FLORIDA"),
        DemoUser("officer.ssmso", "Unidad de Salud Digital (demo)", "license_officer", "SSMSO-USD"),
        DemoUser("helpdesk.ssmso", "Mesa de Ayuda (demo)", "helpdesk", "SSMSO-USD"),
        # The health service's own administrator and auditor: they manage and read its tree only (issue 23).
        DemoUser("admin.ssmso", "Administración SSMSO (demo)", "admin", SERVICE_CODE),
        DemoUser("audit.ssmso", "Auditoría SSMSO (demo)", "auditor", SERVICE_CODE),
    ],
    after_users=ensure_licence_demo,
)
