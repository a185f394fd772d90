"""The bed board's part of the demo, read from a copy of the run's demo template (``demo_loaded``: the same rows
as ``load_demo`` gives in the test, tests/test_demo_template.py; each test loaded it itself before, 16-17 s apiece
on the loaded CI machine)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from accounts.service import AccountsContext
from app.beds.models import Hospital, Section
from app.demo import DemoLogin, load_demo
from app.kit import audit
from app.kit.clock import ManualClock
from app.kit.state import AppServices


async def test_the_demo_has_realistic_hospitals_and_sections(services: AppServices, clock: ManualClock,
                                                             demo_loaded: list[DemoLogin]) -> None:
    async with services.session_factory() as session:
        hospitals = list(await session.scalars(select(Hospital)))
        sections = list(await session.scalars(select(Section)))
    assert len(hospitals) == 25
    assert len({hospital.hospital_type_id for hospital in hospitals}) == 4
    per_hospital = [sum(1 for s in sections if s.hospital_id == h.organisation_id) for h in hospitals]
    assert min(per_hospital) >= 10
    assert max(per_hospital) <= 20
    assert any(section.parent_id is not None for section in sections)
    assert sorted(section.free_beds for section in sections if section.free_beds < 0) == [-2, -1]
    stale = [s for s in sections if s.updated_at and clock.now() - s.updated_at > timedelta(hours=24)]
    assert len(stale) == 8
    assert any(clock.now() - s.updated_at == timedelta(days=2, hours=3, minutes=10) for s in stale if s.updated_at)


async def test_loading_the_demo_twice_adds_nothing(services: AppServices, demo_loaded: list[DemoLogin]) -> None:
    async with services.session_factory() as session:
        first = await session.scalar(select(func.count()).select_from(Section))
        head = await audit.head(session)
    await load_demo(services.unit_of_work, services.get(AccountsContext), services.settings.var_dir)
    async with services.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Section)) == first
        assert await audit.head(session) == head
        assert (await audit.verify(session)).ok
