"""Benchmark 6, alerts: what 1,000 alert rules cost each change, and whether the fan-out notices them.

Two measures. In the process (no HTTP): the evaluator's time after one committed change (``after_commit`` with a
``SectionChanged``), with no rule, with 1,000 rules none of which crosses its edge (the common case: a change
that alerts nobody), and when the change makes one of them fire (its locked transaction, the audit event, the
notice). Then the fan-out of benchmark 1 at 1,000 sockets again, with the same 1,000 rules in the database: the
writes go through the API, so every change pays its evaluation in the server's process, as in production.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update

from accounts.models import Organisation, User
from accounts.service import AccountsContext
from app.beds.alerts import revision
from app.beds.alerts.models import AlertRule
from app.beds.alerts.running import alert_services
from app.beds.events import SectionChanged
from app.beds.models import Section, SectionType
from app.kit.settings import Settings
from app.main import create_app
from bench import fanout
from bench.markdown import number, table
from bench.world import SECRET, seed

RULES = 1_000
CHANGES = 300


def _rows(now: Any, owner: int, authority: int, types: list[int], rules: int) -> list[dict[str, Any]]:
    """Six in ten "below" rules over the board's types (thresholds far under the counts: they hold their state),
    then negative, overdue and closes/reopens rules: every kind a change makes the evaluator read."""
    kinds = ["below"] * 6 + ["negative"] * 2 + ["overdue", "admission"]
    return [{"scope": "user", "owner_user_id": owner, "organisation_id": authority, "kind": kinds[n % 10],
             "section_type_id": types[n % len(types)] if kinds[n % 10] == "below" else None, "hospital_ids": [],
             "threshold": 1 + n % 5 if kinds[n % 10] == "below" else None, "hysteresis": 1, "email": False,
             "armed": True, "tripped": [], "last_seq": 0, "created_at": now, "created_by": "bench"}
            for n in range(rules)]


async def add_rules(database_url: str, rules: int = RULES) -> None:
    """The rules, straight into the table (as 1,000 coordinators' pages would have left them)."""
    app = create_app(Settings(database_url=database_url, secret_key=SECRET))
    services = app.state.services
    try:
        async with services.unit_of_work() as uow:
            session = uow.session
            owner = await session.scalar(select(User.id).order_by(User.id).limit(1))
            authority = await session.scalar(select(Organisation.id).where(Organisation.code == "SAMB"))
            types = list(await session.scalars(select(SectionType.id).where(SectionType.code.in_(("icu", "surgery")))))
            await session.execute(insert(AlertRule), _rows(services.clock.now(), owner or 0, authority or 0, types,
                                                           rules))
            await revision.bump(session)  # as the service does: every process reads the rules again
    finally:
        services.get(AccountsContext).hasher.close()
        await services.engine.dispose()


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"p50": statistics.median(ordered) * 1000, "p95": ordered[int(0.95 * (len(ordered) - 1))] * 1000}


async def _evaluation(database_url: str, var_dir: Path) -> dict[str, Any]:
    app = create_app(Settings(database_url=database_url, secret_key=SECRET, var_dir=var_dir))
    services = app.state.services
    evaluator = alert_services(services).evaluator
    try:
        async with services.session_factory() as session:
            rows = (await session.execute(select(Section.id, Section.section_type_id).order_by(Section.id))).all()
        events = [SectionChanged(seq=1, kind="free_beds_set", section={"id": row[0], "section_type_id": row[1]})
                  for row in rows]

        async def timed(count: int, before: Any = None) -> list[float]:
            times = []
            for number_ in range(count):
                event = events[number_ % len(events)]
                if before is not None:
                    await before(number_, event)
                began = time.perf_counter()
                await evaluator.after_commit([event])  # inline: it returns when the rules are judged
                times.append(time.perf_counter() - began)
            return times

        found: dict[str, Any] = {"without_rules": _summary(await timed(CHANGES))}
        await add_rules(database_url)
        found["with_rules"] = _summary(await timed(CHANGES))
        # One negative rule fires on every other change: the section goes negative, then back to 0.
        target = events[0]

        async def flip(number_: int, _event: Any) -> None:
            async with services.unit_of_work() as uow:
                await uow.session.execute(update(Section).where(Section.id == target.section["id"])
                                          .values(free_beds=-1 if number_ % 2 == 0 else 0))

        firing = []
        for number_ in range(60):
            await flip(number_, target)
            began = time.perf_counter()
            await evaluator.after_commit([target])
            if number_ % 2 == 0:
                firing.append(time.perf_counter() - began)
        found["firing"] = _summary(firing)
        found["fired_per_change"] = sum(1 for row in _rows(None, 0, 0, [0], RULES) if row["kind"] == "negative")
        found["rules"] = RULES
        found["changes"] = CHANGES
        return found
    finally:
        services.get(AccountsContext).hasher.close()
        await services.engine.dispose()


# A city's board: the evaluation reads every section of the changed type, so it is measured on a large one.
EVALUATION_SECTIONS = 1_000


def evaluation(scratch: Path, sections: int = EVALUATION_SECTIONS) -> dict[str, Any]:
    url = f"sqlite+aiosqlite:///{scratch / 'alerts.sqlite3'}"
    seed(url, scratch, sections)
    return asyncio.run(_evaluation(url, scratch))


async def switch_rules(database_url: str, *, on: bool) -> None:
    """The bench's rules in force or deleted (as their owners would), so that both cases run on one server."""
    app = create_app(Settings(database_url=database_url, secret_key=SECRET))
    services = app.state.services
    try:
        async with services.unit_of_work() as uow:
            await uow.session.execute(update(AlertRule).where(AlertRule.created_by == "bench")
                                      .values(deleted_at=None if on else services.clock.now()))
            await revision.bump(uow.session)
    finally:
        services.get(AccountsContext).hasher.close()
        await services.engine.dispose()


def compare_fanout(database_url: str, target: fanout.Target, plan: fanout.Plan,
                   rounds: int = 2) -> list[dict[str, Any]]:
    """The same fan-out case without rules and with them, interleaved (the machine's load moves between runs), on
    one server: the rules are switched while it runs (it reads them again when their revision moves)."""
    asyncio.run(add_rules(database_url))
    with_rules = replace(target, name=f"{target.name}, {RULES:,} alert rules")
    cases = []
    for _round in range(rounds):
        asyncio.run(switch_rules(database_url, on=False))
        cases.append({**fanout.run_case(target, plan), "server": target.name})
        asyncio.run(switch_rules(database_url, on=True))
        cases.append({**fanout.run_case(with_rules, plan), "server": with_rules.name})
    return cases


def section(results: dict[str, Any]) -> str:
    found = results.get("alerts") or {}
    if "evaluation" not in found or "fanout" not in found:
        return ""
    cost = found["evaluation"]
    rows = [[label, number(cost[key]["p50"], 2), number(cost[key]["p95"], 2)] for label, key in (
        ("no rule", "without_rules"), (f"{cost['rules']:,} rules, none crosses its edge", "with_rules"),
        (f"{cost['rules']:,} rules, the change fires {cost['fired_per_change']} of them (a count goes negative)",
         "firing"))]
    fanout = [[row["server"], number(row["sockets"]), number(row["deliveries_per_s"]), number(row["changes_per_s"]),
               " / ".join(number(row["steady"][key], 1) for key in ("p50", "p95", "p99", "max"))]
              for row in found["fanout"]]
    return ("## 6. Alerts: 1,000 rules\n\n"
            "Evaluation after one committed change, in the writer's process (`AlertEvaluator.after_commit`, "
            f"SQLite, {cost['changes']} changes, ms): a plain read of the rules the change concerns and of its "
            "type's sections, then nothing more unless a rule crosses its edge.\n\n"
            + table(["rules", "p50 (ms)", "p95 (ms)"], rows)
            + "\nThe fan-out of benchmark 1 at 1,000 sockets, without and with the same 1,000 rules in force, "
              "interleaved on one server (the writes go through the API: every change is evaluated in the "
              "server; no rule crosses its edge, as in most changes):\n\n"
            + table(["server", "sockets", "deliveries/s", "changes/s", "steady p50 / p95 / p99 / max (ms)"], fanout))
