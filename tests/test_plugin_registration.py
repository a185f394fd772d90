"""A new domain reaches ``bedboard`` and ``bedboard demo`` by registering a plugin: neither the CLI nor the demo
names a domain (app/kit/commands.py, app/kit/demo_data.py)."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accounts.models import Organisation
from accounts.service import AccountsContext, accounts_context
from app.cli import build_parser, main
from app.demo import load_demo
from app.kit.actors import Actor
from app.kit.commands import Command, CommandContext, say
from app.kit.db import UnitOfWork
from app.kit.demo_data import Demo, DemoOrganisation, DemoStep, DemoUser
from app.kit.plugins import NavItem, Plugin, Registry
from app.kit.settings import Settings
from app.main import plugins
from tests.test_cli import environ


def _greet(context: CommandContext, args: argparse.Namespace) -> int:
    say(f"hello {args.name} at {context.settings.base_url}")
    return 3


def _name(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", required=True)


WARD = Plugin(name="ward", commands=[
    Command("ward", "the ward module", position=65, actions=[
        Command("greet", "say hello", _greet, configure=_name),
    ]),
])


def test_a_registered_plugins_command_runs_and_is_listed_in_its_place(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = Registry([*plugins(), WARD])
    usage = build_parser(registry).format_help()
    assert usage.index("  demo ") < usage.index("  ward ") < usage.index("  audit ")  # by position, 60 < 65 < 70
    assert "ward" not in build_parser().format_help()

    settings = environ(sqlite_url, tmp_path, BEDBOARD_BASE_URL="http://ward.example:8000")
    assert main(["ward", "greet", "--name", "Ana"], settings, registry=registry) == 3  # its own exit code
    assert "hello Ana at http://ward.example:8000" in capsys.readouterr().out


def test_a_command_is_either_a_group_or_runs() -> None:
    with pytest.raises(ValueError, match="must either run or hold actions"):
        Command("ward", "the ward module")
    with pytest.raises(ValueError, match="must either run or hold actions"):
        Command("ward", "the ward module", _greet, actions=[Command("greet", "say hello", _greet)])


@pytest.fixture
async def accounts(database_url: str) -> AsyncIterator[AccountsContext]:
    context = accounts_context(Settings(database_url=database_url, secret_key="k" * 40,
                                        password_profile="fast-insecure-for-tests"))
    yield context
    context.hasher.close()


async def test_the_demo_loads_what_the_registered_demos_bring_and_nothing_else(
    unit_of_work: Callable[[], UnitOfWork], session_factory: async_sessionmaker[AsyncSession],
    accounts: AccountsContext, tmp_path: Path,
) -> None:
    steps: list[tuple[str, dict[str, int]]] = []

    def step(name: str) -> DemoStep:
        async def record(uow: UnitOfWork, actor: Actor, organisations: Mapping[str, int]) -> None:
            steps.append((name, dict(organisations)))
        return record

    ward = Demo(organisations=[DemoOrganisation("W-REG", "Ward region", "region"),
                               DemoOrganisation("W-UNIT", "Ward unit", "unit", "W-REG")],
                users=[DemoUser("it.ward", "Ward IT support (demo)", "it_support", "W-REG")],
                before_users=step("before"), after_users=step("after"))
    logins = await load_demo(unit_of_work, accounts, tmp_path, demos=[ward])

    assert [(login.username, login.organisation_code) for login in logins] == [("it.ward", "W-REG")]
    async with session_factory() as session:
        organisations = {o.code: o for o in await session.scalars(select(Organisation))}
    assert set(organisations) == {"W-REG", "W-UNIT"}  # no other domain's organisations
    assert organisations["W-UNIT"].parent_id == organisations["W-REG"].id
    ids = {"W-REG": organisations["W-REG"].id, "W-UNIT": organisations["W-UNIT"].id}
    assert steps == [("before", ids), ("after", ids)]


def _allows(actor: Actor, action: str) -> bool:
    return action in actor.roles


def test_the_navigation_bar_is_ordered_by_position_across_plugins_and_shows_what_the_policy_allows() -> None:
    first = Plugin(name="first", navigation=[NavItem("Late", "/late", "late", 20)], policy=_allows)
    second = Plugin(name="second", navigation=[NavItem("Early", "/early", "early", 10),
                                                NavItem("Hidden", "/hidden", "hidden", 15)])
    registry = Registry([first, second])
    reader = Actor(username="ana", source="web", user_id=1, roles=frozenset({"late", "early"}))
    assert [item.label for item in registry.visible_navigation(reader)] == ["Early", "Late"]
    assert registry.visible_navigation(Actor(username="ana", source="web", user_id=1, roles=reader.roles,
                                             must_change_password=True)) == []


def test_a_registry_refuses_a_plugin_twice_and_needs_exactly_one_access_policy() -> None:
    with pytest.raises(ValueError, match="registered twice: beds"):
        Registry([Plugin(name="beds", policy=_allows), Plugin(name="beds")])
    with pytest.raises(ValueError, match="not 0"):
        Registry([Plugin(name="beds")])
    with pytest.raises(ValueError, match="not 2"):
        Registry([Plugin(name="a", policy=_allows), Plugin(name="b", policy=_allows)])
