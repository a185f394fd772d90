"""An overdue notice keeps the due instant itself and shows it to each reader in their language and their
organisation's zone: a Chilean licence officer reading Spanish sees Santiago's clock, a Swedish IT support reading
Swedish sees Stockholm's, where the installation runs on Bucharest's; a notice kept before (due time written out
when it was sent) still reads as it did."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
from sqlalchemy import select, update

from accounts.models import Organisation, User
from app.kit.actors import Actor
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from app.notifications.models import Notification
from app.notifications.outbox import OutboxMessage
from app.provisioning.core.overdue import sweep_overdue
from app.provisioning.licenses import requesting
from app.provisioning.roles import assigning
from tests.provisioning.licence_world import SERVICE, make_licence_world
from tests.provisioning.licence_world import actor_of as licence_actor
from tests.provisioning.roles_world import REGION, make_roles_world
from tests.provisioning.roles_world import actor as roles_actor
from tests.web import BrowserFactory, log_in

FRIDAY = datetime(2026, 11, 6, 12, 0, tzinfo=UTC)  # a licence request in Chile, due Tuesday 12:00 UTC
MONDAY = datetime(2026, 11, 9, 10, 0, tzinfo=UTC)  # an employee assignment in Sweden, due Wednesday 10:00 UTC


async def _readers(services: AppServices) -> None:
    """Each organisation's zone, each reader's language; the officer also reads their notices by e-mail."""
    async with services.unit_of_work() as uow:
        await uow.session.execute(update(Organisation).where(Organisation.code == SERVICE)
                                  .values(timezone="America/Santiago"))
        await uow.session.execute(update(Organisation).where(Organisation.code == REGION)
                                  .values(timezone="Europe/Stockholm"))
        await uow.session.execute(update(User).where(User.username == "officer")
                                  .values(language="es", email="officer@ssmso.example"))
        await uow.session.execute(update(User).where(User.username == "it.support").values(language="sv"))


async def _overdue_in_chile_and_sweden(services: AppServices, clock: ManualClock) -> tuple[int, int]:
    world = await make_licence_world(services)
    region = await make_roles_world(services)
    await _readers(services)
    clock._now = FRIDAY
    async with services.unit_of_work() as uow:
        licence = await requesting.submit_new(uow, actor=await licence_actor(services, "ref_a"),
                                              organisation_id=world.commune_a,
                                              entries=[(1, "Alba Plaza Santelices", "12345678-5", "F")])
    clock._now = MONDAY
    async with services.unit_of_work() as uow:
        assignment = await assigning.request_assignment(
            uow, actor=await roles_actor(services, "mgr.ward"), employee_id=region.employee_id,
            care_area_id=region.cardiology, unit_ids=[region.ward], valid_from=date(2026, 11, 16), valid_to=None,
            systems=["Clinic24"])
    assert licence.due_at == datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
    assert assignment.due_at == datetime(2026, 11, 11, 10, 0, tzinfo=UTC)
    clock._now = datetime(2026, 11, 12, 9, 0, tzinfo=UTC)
    async with services.unit_of_work() as uow:
        # The sweep runs in the installation's zone (Bucharest): a due time written out here would be Bucharest's.
        report = await sweep_overdue(uow, actor=Actor.system(), zone=services.settings.zone)
    assert report.newly_overdue == 2
    return licence.id, assignment.id


async def _notices(client: httpx.AsyncClient, username: str) -> str:
    await log_in(client, username)
    page = await client.get("/notifications")
    assert page.status_code == 200
    return page.text


async def test_each_reader_sees_the_due_time_in_their_language_and_zone(
    services: AppServices, clock: ManualClock, new_client: BrowserFactory
) -> None:
    licence, assignment = await _overdue_in_chile_and_sweden(services, clock)
    async with new_client() as officer, new_client() as support:
        spanish = await _notices(officer, "officer")
        swedish = await _notices(support, "it.support")
    # 12:00 UTC is 09:00 in Santiago (14:00 in Bucharest); 10:00 UTC is 11:00 in Stockholm (12:00 in Bucharest).
    assert f"La solicitud n.º {licence} está atrasada (vencía el 10 nov 2026, 09:00)." in spanish
    assert f"Ärende #{assignment} är försenat (det skulle vara klart 11 nov. 2026 11:00)." in swedish
    async with services.session_factory() as session:
        mail = await session.scalar(select(OutboxMessage.body).where(
            OutboxMessage.recipient == "officer@ssmso.example", OutboxMessage.body.contains("atrasada")))
    assert mail is not None
    assert mail.startswith(f"La solicitud n.º {licence} está atrasada (vencía el 10 nov 2026, 09:00).")


async def test_a_notice_kept_with_its_due_time_written_out_still_reads(
    services: AppServices, clock: ManualClock, new_client: BrowserFactory
) -> None:
    await make_licence_world(services)
    await _readers(services)
    clock._now = FRIDAY
    async with services.unit_of_work() as uow:
        officer_id = await uow.session.scalar(select(User.id).where(User.username == "officer"))
        assert officer_id is not None
        # As the sweep kept it before: the due time already written out, in the installation's zone.
        uow.session.add(Notification(user_id=officer_id, message="Request #{number} is overdue (it was due {due}).",
                                     params={"number": 41, "due": "2026-11-10 14:00"}, link="/licenses/requests/41",
                                     created_at=FRIDAY))
    async with new_client() as officer:
        spanish = await _notices(officer, "officer")
    assert "La solicitud n.º 41 está atrasada (vencía el 2026-11-10 14:00)." in spanish
