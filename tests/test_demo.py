from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accounts.models import Organisation, User, UserRole
from accounts.passwords import check_policy
from accounts.service import AccountsContext, accounts_context
from accounts.sessions import actor_for
from app import demo
from app.kit import audit
from app.kit.actors import Actor
from app.kit.clock import ManualClock
from app.kit.db import UnitOfWork
from app.kit.settings import Settings
from app.provisioning.core import workflow
from app.provisioning.orders import group_queries, order_queries, queries, register
from app.provisioning.orders.models import ItOrder, OrderPerson
from app.provisioning.roles import tickets
from app.provisioning.roles.models import Employee
from tests.demo_template import LoadedDemo


@pytest.fixture
async def context(database_url: str) -> AsyncIterator[AccountsContext]:
    settings = Settings(database_url=database_url, secret_key="k" * 40,
                        password_profile="fast-insecure-for-tests")
    context = accounts_context(settings)
    yield context
    context.hasher.close()


async def count(session_factory: async_sessionmaker[AsyncSession], model: type[object]) -> int:
    async with session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def actions(session_factory: async_sessionmaker[AsyncSession]) -> list[str]:
    async with session_factory() as session:
        return list(await session.scalars(select(audit.AuditEvent.action).order_by(audit.AuditEvent.seq)))


async def password_hash(session_factory: async_sessionmaker[AsyncSession], username: str) -> str | None:
    async with session_factory() as session:
        return await session.scalar(select(User.password_hash).where(User.username == username))


ROLES_LOGINS = {"chef.kardavd": "manager", "chef.kardmot": "manager", "chef.vcnorr": "manager",
                "it.gavleborg": "it_support", "ehalsa.gavleborg": "catalogue_steward",
                "kontakt.kard": "catalogue_contact", "vc.kard": "head_of_operations",
                "vc.digital": "head_of_operations", "anna.berg": "employee", "admin.gavleborg": "admin",
                "audit.gavleborg": "auditor"}


ORDERS_LOGINS = {"it.lund": "it_contact", "it.malmo": "it_contact", "orders.skane": "orders_admin",
                 "it.omsorg": "it_contact", "it.hemtjanst": "it_contact", "orders.uppsala": "orders_admin",
                 # Issue 23 items 4 and 10: the fulfilling groups' members and the care provider taking over.
                 "klk.it": "it_fulfiller", "klk.it2": "it_fulfiller", "region.it": "it_fulfiller",
                 "it.vardnord": "it_contact"}
# The IT-order demo's orders: five of Lund's clinic (Olof Lind's two and Eva Berg's among them), three of
# Omsorg Uppsala AB's.
DEMO_ORDERS = 5 + 3 + 1  # and Omsorg Uppsala AB's handover to Vård Nord AB


async def passwords_by_username(unit_of_work: Callable[[], UnitOfWork], context: AccountsContext,
                                var_dir: Path) -> dict[str, str | None]:
    return {login.username: login.password for login in await demo.load_demo(unit_of_work, context, var_dir)}


async def test_loads_authorities_hospitals_and_one_login_per_role(
    session_factory: async_sessionmaker[AsyncSession], demo_bare_loaded: LoadedDemo,
) -> None:
    logins = demo_bare_loaded.logins

    assert [login.username for login in logins] == ["admin.samb", "coord.samb", "audit.ms", "op.floreasca",
                                                    "admin.ms", "ref.laflorida", "officer.ssmso", "helpdesk.ssmso",
                                                    "admin.ssmso", "audit.ssmso", *ROLES_LOGINS, *ORDERS_LOGINS]
    assert {login.role for login in logins} == {"admin", "coordinator", "auditor", "operator", "referent",
                                                "license_officer", "helpdesk", "manager", "it_support",
                                                "catalogue_steward", "catalogue_contact", "head_of_operations",
                                                "employee", "it_contact", "orders_admin", "it_fulfiller"}
    async with session_factory() as session:
        organisations = {o.code: o for o in await session.scalars(select(Organisation))}
        roles = dict((await session.execute(select(User.username, UserRole.role_code).join(UserRole))).all())
    assert organisations["SAMB"].name == "Serviciul de Ambulanță București-Ilfov"
    hospitals = [o for o in organisations.values() if o.kind == "hospital"]
    communes = [o for o in organisations.values() if o.kind == "commune" and o.code != "UPPSALA"]
    assert {o.parent_id for o in communes} == {organisations["SSMSO"].id}
    assert organisations["CESFAM-PIRQUE"].parent_id == organisations["PIRQUE"].id
    assert len(hospitals) >= 6
    assert {h.parent_id for h in hospitals} == {organisations["MS"].id}
    assert all("Demo" in h.name for h in hospitals)
    assert roles == {"admin.samb": "admin", "coord.samb": "coordinator", "audit.ms": "auditor",
                     "op.floreasca": "operator", "admin.ms": "admin", "ref.laflorida": "referent",
                     "officer.ssmso": "license_officer", "helpdesk.ssmso": "helpdesk", "admin.ssmso": "admin",
                     "audit.ssmso": "auditor", **ROLES_LOGINS,
                     **ORDERS_LOGINS}
    assert organisations["VC-NORR"].parent_id == organisations["VO-PRIMAR"].id
    assert organisations["VO-PRIMAR"].parent_id == organisations["RG"].id
    events = await actions(session_factory)
    assert events.count("accounts.organisation_created") == len(organisations)
    assert organisations["HEMTJANST-NORR"].parent_id == organisations["OMSORG-AB"].id
    assert organisations["OMSORG-AB"].parent_id == organisations["UPPSALA"].id
    assert events.count("accounts.user_created") == 10 + len(ROLES_LOGINS) + len(ORDERS_LOGINS)
    # The licence module's demo: one request waits for the officer, one was accepted (two licences in use
    # and a reclaimed one before it). The roles module's: two assignments asked (one made), one catalogue change.
    # The IT-order module's orders are placed as accepted requests in progress.
    assert events.count("provisioning.request.submit") == 2 + 3 + DEMO_ORDERS
    assert events.count("provisioning.request.accept") == 1 + 1 + DEMO_ORDERS
    assert events.count("orders.order_placed") == DEMO_ORDERS
    assert events.count("orders.catalogue_version_added") == 2
    assert events.count("licenses.created") == 5
    assert events.count("roles.catalogue_version_created") == 2


async def test_the_demo_employee_has_a_login_choice(
    session_factory: async_sessionmaker[AsyncSession], demo_bare_loaded: LoadedDemo,
) -> None:
    async with session_factory() as session:
        anna = await session.scalar(select(User).where(User.username == "anna.berg"))
        assert anna is not None
        employee_id = await session.scalar(select(Employee.id).where(Employee.user_id == anna.id))
        assert employee_id is not None
        choices = await tickets.login_tickets(session, actor=await actor_for(session, anna, source="cli",
                                                                               client_address=None),
                                              employee_id=employee_id, today=datetime.now(UTC).date())
    assert [(choice.hsa_id, choice.role_key) for choice in choices.choices] == [
        ("SE2321000198-E1KA", "Kardiologi / Sjuksköterska / Hjärtsvikt")]


async def demo_actor(session: AsyncSession, username: str) -> Actor:
    user = await session.scalar(select(User).where(User.username == username))
    assert user is not None
    return await actor_for(session, user, source="cli", client_address=None)


async def person_order(session: AsyncSession, lund: Actor, full_name: str, event: str,
                       now: datetime) -> order_queries.OrderView:
    person_id = await session.scalar(select(OrderPerson.id).where(OrderPerson.full_name == full_name))
    order_id = await session.scalar(select(ItOrder.request_id).where(ItOrder.person_id == person_id,
                                                                     ItOrder.event_key == event))
    assert order_id is not None, (full_name, event)
    return await order_queries.order_view(session, lund, order_id, now)


async def test_the_demo_orders_show_each_screen_something_to_do(
    session_factory: async_sessionmaker[AsyncSession], demo_bare_loaded: LoadedDemo, clock: ManualClock,
) -> None:
    now = clock.now()
    async with session_factory() as session:
        lund = await demo_actor(session, "it.lund")
        karin = await person_order(session, lund, "Karin Ek", "new_user", now)
        olof_started = await person_order(session, lund, "Olof Lind", "new_user", now)
        olof_leaving = await person_order(session, lund, "Olof Lind", "end_user", now)
        assert olof_leaving.person is not None
        olof_systems = {access.system for access in await register.access_register(session, olof_leaving.person.id)}
        queue = await queries.queue(session, lund, now)
        omsorg = await demo_actor(session, "it.omsorg")
        provider_orders = await queries.orders_of_organisation(session, omsorg, omsorg.organisation_id or 0, now)
        subcontractor = await demo_actor(session, "it.hemtjanst")
        seen_by_subcontractor = await queries.orders_of_organisation(session, subcontractor,
                                                                     subcontractor.organisation_id or 0, now)
    # Karin Ek: the directory record made, the card waits for Ritz, WebSesam for the prescriber training.
    assert karin.line("skat").state == workflow.TASK_DONE
    assert karin.line("e_card").state == workflow.WAITING_EXTERNAL
    assert karin.line("e_card").task.external_reference
    assert karin.line("websesam").blocked
    assert any("förskrivarutbildning" in label for label in karin.line("websesam").waiting_on)
    assert [line.generated.item for line in karin.lines if line.generated.system == "priva"] == [
        "Hörselmottagningen Lund", "Hörselmottagningen Malmö"]
    assert (karin.order.planned_date - karin.today).days == 21
    # Olof Lind: set up in full, then leaving in a week with two cancellations done and his record still there.
    assert olof_started.request.state == workflow.DONE
    assert {"skat", "auditbase"} <= olof_systems
    assert "rsvpn" not in olof_systems
    assert olof_leaving.order.answers["profession"] == "prescriber"
    assert olof_leaving.line("rsvpn").state == olof_leaving.line("websesam").state == workflow.TASK_DONE
    assert olof_leaving.line("skat").blocked
    assert any("Auditbase" in label for label in olof_leaving.line("skat").waiting_on)
    assert (olof_leaving.order.planned_date - olof_leaving.today).days == 7
    # The queue puts Per Holm's order, whose first day has passed, first.
    assert queue[0].overdue
    assert queue[0].order.view.person is not None
    assert queue[0].order.view.person.full_name == "Per Holm"
    # Omsorg Uppsala AB: the small change a week ahead is too late, the start-up checks are partly met, the
    # subcontractor's order is its main contractor's, which the subcontractor may read.
    by_event = {summary.view.order.event_key: summary.view for summary in provider_orders}
    change = by_event["organisation_change"]
    assert change.lead_time is not None
    assert change.lead_time.too_late
    statuses = {result.check.key: result.status for result in by_event["start_or_takeover"].checks}
    assert statuses["computers_and_internet"] == statuses["contact_persons"] == "met"
    assert statuses["internet_explorer"] == statuses["expert_users"] == "not_met"
    subcontract = by_event["subcontractor"]
    assert subcontract.subject is not None
    assert subcontract.subject.code == "HEMTJANST-NORR"
    assert [summary.id for summary in seen_by_subcontractor] == [subcontract.request.id]
    # The fulfilling groups: KLK IT and Region Skåne's IT have members and tasks waiting, the oldest of each taken;
    # the handover names Vård Nord AB, whose IT contact has its part to do.
    async with session_factory() as session:
        klk_queue = await group_queries.group_queue(session, await demo_actor(session, "klk.it"), "klk_it", now)
        region_queue = await group_queries.group_queue(session, await demo_actor(session, "region.it"), "region_it",
                                                       now)
        receiver = await demo_actor(session, "it.vardnord")
        receiving_queue = await queries.queue(session, receiver, now)
    assert len(klk_queue.entries) >= 3
    assert klk_queue.entries[0].holder is not None
    assert klk_queue.entries[0].holder.name == "Systemförvaltare KLK IT (demo)"
    assert any("RSVPN" in entry.line.label for entry in region_queue.entries)
    assert by_event["handover_wind_down"].order.receiving_organisation_id == receiver.organisation_id
    assert receiving_queue
    assert all(entry.line.generated.party == "receiving" for entry in receiving_queue)


async def test_passwords_are_random_kept_owner_only_and_open_the_accounts(
    session_factory: async_sessionmaker[AsyncSession], context: AccountsContext, demo_bare_loaded: LoadedDemo,
) -> None:
    logins = demo_bare_loaded.logins

    assert demo_bare_loaded.credentials_mode == 0o600  # the file as load_demo left it
    kept = json.loads(demo_bare_loaded.credentials)["passwords"]
    assert kept == {login.username: login.password for login in logins}
    assert len(set(kept.values())) == len(kept)
    for login in logins:
        assert login.password is not None
        assert len(login.password) >= 16
        stored = await password_hash(session_factory, login.username)
        assert await context.hasher.verify(stored, login.password)


async def test_a_second_run_adds_nothing_and_returns_the_same_logins(
    unit_of_work: Callable[[], UnitOfWork], session_factory: async_sessionmaker[AsyncSession],
    context: AccountsContext, tmp_path: Path, demo_bare_loaded: LoadedDemo,
) -> None:
    first = list(demo_bare_loaded.logins)
    demo_bare_loaded.write_credentials(tmp_path)  # where the first run left it
    events, users = await actions(session_factory), await count(session_factory, User)

    second = await demo.load_demo(unit_of_work, context, tmp_path)

    assert second == first
    assert await actions(session_factory) == events
    assert await count(session_factory, User) == users


async def test_without_the_credentials_file_existing_passwords_stay_unknown_and_unchanged(
    unit_of_work: Callable[[], UnitOfWork], session_factory: async_sessionmaker[AsyncSession],
    context: AccountsContext, tmp_path: Path, demo_bare_loaded: LoadedDemo,
) -> None:
    first = demo_bare_loaded.logins
    demo_bare_loaded.write_credentials(tmp_path)  # where the first run left it
    hash_before = await password_hash(session_factory, "admin.samb")
    (tmp_path / demo.CREDENTIALS_FILE).unlink()

    second = await demo.load_demo(unit_of_work, context, tmp_path)

    assert [login.password for login in second] == [None] * len(first)
    assert await password_hash(session_factory, "admin.samb") == hash_before
    assert await context.hasher.verify(hash_before, first[0].password or "")
    assert not (tmp_path / demo.CREDENTIALS_FILE).exists()


async def test_a_kept_password_that_no_longer_opens_the_account_is_not_shown(
    unit_of_work: Callable[[], UnitOfWork], context: AccountsContext, tmp_path: Path, demo_bare_loaded: LoadedDemo,
) -> None:
    demo_bare_loaded.write_credentials(tmp_path)  # where the first run left it
    async with unit_of_work() as uow:
        user = await uow.session.scalar(select(User).where(User.username == "coord.samb"))
        assert user is not None
        user.password_hash = await context.hasher.hash("changed by its owner since")

    logins = await passwords_by_username(unit_of_work, context, tmp_path)

    assert logins["coord.samb"] is None
    assert logins["admin.samb"] is not None


async def test_a_fresh_database_reuses_the_kept_passwords(
    unit_of_work: Callable[[], UnitOfWork], context: AccountsContext, tmp_path: Path,
) -> None:
    demo.write_credentials(tmp_path, {"admin.samb": "kept-from-an-earlier-database"})

    logins = await passwords_by_username(unit_of_work, context, tmp_path)

    assert logins["admin.samb"] == "kept-from-an-earlier-database"
    assert set(demo.read_credentials(tmp_path)) == set(logins)


async def test_an_existing_organisation_is_left_as_it_is(
    unit_of_work: Callable[[], UnitOfWork], session_factory: async_sessionmaker[AsyncSession],
    context: AccountsContext, tmp_path: Path,
) -> None:
    async with unit_of_work() as uow:
        uow.session.add(Organisation(code="MS", name="Ministerul Sănătății (real)", kind="authority"))

    await demo.load_demo(unit_of_work, context, tmp_path)

    async with session_factory() as session:
        ministry = await session.scalar(select(Organisation).where(Organisation.code == "MS"))
        floreasca = await session.scalar(select(Organisation).where(Organisation.code == "H-FLOR"))
        created = [event.after["code"] for event in await session.scalars(select(audit.AuditEvent).where(
            audit.AuditEvent.action == "accounts.organisation_created")) if event.after]
    assert ministry is not None
    assert floreasca is not None
    assert ministry.name == "Ministerul Sănătății (real)"
    assert floreasca.parent_id == ministry.id
    assert "MS" not in created
    assert "H-FLOR" in created


def test_an_unreadable_credentials_file_is_named(tmp_path: Path) -> None:
    (tmp_path / demo.CREDENTIALS_FILE).write_text("{not json")
    with pytest.raises(demo.UnreadableCredentials) as caught:
        demo.read_credentials(tmp_path)
    assert str(tmp_path / demo.CREDENTIALS_FILE) in caught.value.message.format(**caught.value.params)


def test_generated_passwords_pass_the_policy_and_differ() -> None:
    passwords = {demo.generate_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        check_policy(password, "admin.samb")
        assert len(password) >= 16
        assert not set(password) & set("0O1lI")


def test_the_table_aligns_columns_and_marks_unknown_passwords() -> None:
    table = demo.logins_table([demo.DemoLogin("admin.samb", "admin", "SAMB", "abcde-fghij"),
                               demo.DemoLogin("op.floreasca", "operator", "H-FLOR", None)])
    assert table.splitlines() == [
        "username      role      organisation  password",
        "admin.samb    admin     SAMB          abcde-fghij",
        "op.floreasca  operator  H-FLOR        (unknown)",
    ]
