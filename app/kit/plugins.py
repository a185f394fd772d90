"""How a domain plugs into the app: a ``Plugin`` says what it brings, the assembly registers it at start-up.

The kit holds the registry and knows no domain by name: the bed board, the history, the provisioning
modules, notifications and accounts each describe themselves in a ``plugin.py`` of their own (routes,
navigation entries, header counters, template folders, periodic jobs, live feeds, the services they put
on the app, ``bedboard`` commands, demo data), and ``app/main.py`` lists the plugins, the way a Starlette
app mounts routers. A new domain is one more plugin there; nothing in the kit changes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.routing import BaseRoute

from app.kit.actors import Actor
from app.kit.clock import Clock
from app.kit.commands import Command, CommandContext
from app.kit.db import BeforeCommit, Publisher, UnitOfWork
from app.kit.demo_data import Demo
from app.kit.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Select

    from app.kit.state import AppServices


@dataclass(frozen=True)
class NavItem:
    """One link of the navigation bar, shown to whoever may do ``action``; ``position`` orders the bar across
    plugins (the bar reads board first, one's own account last, whatever order the plugins register in)."""

    label: str
    path: str
    action: str
    position: int


@dataclass(frozen=True)
class JobContext:
    """What a periodic job runs with, in a server's lifespan or from ``bedboard jobs run``."""

    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    clock: Clock
    # In a server, a job's events reach the live channel like a request's (an admission status that expires
    # reopens a hospital on every open board); ``bedboard jobs run`` has no boards of its own to tell.
    publish: Publisher | None = None
    before_commit: BeforeCommit | None = None

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, clock=self.clock, publish=self.publish,
                          before_commit=self.before_commit,
                          info={"base_url": self.settings.base_url, "timezone": self.settings.timezone})


JobBody = Callable[[], Awaitable[str]]


@dataclass(frozen=True)
class Job:
    """A periodic job: its name (the lock's key in ``job_runs``), how often it runs, what it does for a person
    reading ``bedboard jobs list``, and its work, which returns a one-line outcome."""

    name: str
    every: timedelta
    description: str
    run: Callable[[JobContext], Awaitable[str]] | None = None

    def body(self, context: JobContext) -> JobBody:
        run = self.run
        if run is None:
            raise LookupError(f"the job {self.name} has no work to run")
        return lambda: run(context)


# The header's small figures (e.g. unread notifications): None hides the figure for this reader.
HeaderCounter = Callable[["AppServices", Actor], Awaitable[int | None]]
# What every page's template may read besides the kit's own context (e.g. the CSRF token).
PageContext = Callable[[Request], Mapping[str, Any]]
# Who may do what: the access policy's one question, asked by the navigation bar.
Policy = Callable[[Actor, str], bool]
Lifecycle = Callable[["AppServices"], Awaitable[None]]
# Which audited objects of one ``object_type`` belong to the given organisations: a SELECT of their ids as the log
# writes them (text), so that the history reads each auditor's tree in one query (app/history/scope.py).
AuditObjects = Callable[[Sequence[int]], "Select[Any]"]


@dataclass(frozen=True)
class Plugin:
    """What one domain brings to the app. Every field is optional: a domain brings what it has."""

    name: str
    routes: Sequence[BaseRoute] = ()
    navigation: Sequence[NavItem] = ()
    header_counters: Mapping[str, HeaderCounter] = field(default_factory=dict)
    page_context: Sequence[PageContext] = ()
    template_globals: Mapping[str, object] = field(default_factory=dict)
    template_dirs: Sequence[Path] = ()
    jobs: Sequence[Job] = ()
    # Puts the domain's services on the app (``services.provide(...)``) and its listeners on the unit of work.
    install: Callable[[AppServices], None] | None = None
    # Run in the lifespan: start live feeds and load what they need; stop them, release threads.
    start: Lifecycle | None = None
    stop: Lifecycle | None = None
    # Why this app cannot serve yet, as a line for ``/ready`` (e.g. a live feed's listener is down), or None.
    readiness: Callable[[AppServices], str | None] | None = None
    # The access policy; exactly one plugin (accounts) brings it.
    policy: Policy | None = None
    # ``bedboard`` commands (``licenses pool``, ``import nomenclature`` ...), and what every transaction a command
    # commits must carry for this domain's live feed (made once per command from its settings).
    commands: Sequence[Command] = ()
    command_before_commit: Callable[[Settings], BeforeCommit] | None = None
    # What ``bedboard demo`` loads for this domain.
    demo: Demo | None = None
    # Whose organisation each of its audited object types belongs to (``object_type`` -> ``AuditObjects``).
    audit_objects: Mapping[str, AuditObjects] = field(default_factory=dict)


class Registry:
    """Every registered plugin, and what they bring together, in registration order."""

    def __init__(self, plugins: Sequence[Plugin]) -> None:
        names = [plugin.name for plugin in plugins]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"plugins registered twice: {', '.join(repeated)}")
        policies = [plugin.policy for plugin in plugins if plugin.policy is not None]
        if len(policies) != 1:
            raise ValueError(f"exactly one plugin must bring the access policy, not {len(policies)}")
        self.plugins = tuple(plugins)
        self.policy: Policy = policies[0]
        self.routes = [route for plugin in plugins for route in plugin.routes]
        self.navigation = sorted((item for plugin in plugins for item in plugin.navigation),
                                 key=lambda item: item.position)
        self.header_counters = {name: counter for plugin in plugins for name, counter in plugin.header_counters.items()}
        self.page_context = [provider for plugin in plugins for provider in plugin.page_context]
        self.template_globals = {name: value for plugin in plugins for name, value in plugin.template_globals.items()}
        self.template_dirs = [folder for plugin in plugins for folder in plugin.template_dirs]
        self.jobs = [job for plugin in plugins for job in plugin.jobs]
        self.commands = [command for plugin in plugins for command in plugin.commands]
        self.demos = [plugin.demo for plugin in plugins if plugin.demo is not None]
        self.audit_objects = {kind: objects for plugin in plugins for kind, objects in plugin.audit_objects.items()}

    def visible_navigation(self, actor: Actor) -> list[NavItem]:
        if actor.must_change_password:
            return []
        return [item for item in self.navigation if self.policy(actor, item.action)]

    def not_ready(self, services: AppServices) -> list[str]:
        """The plugins' reasons why ``/ready`` must say no, in registration order."""
        reasons = (plugin.readiness(services) for plugin in self.plugins if plugin.readiness is not None)
        return [reason for reason in reasons if reason is not None]

    def job(self, name: str) -> Job | None:
        return next((job for job in self.jobs if job.name == name), None)

    def command_context(self, settings: Settings) -> CommandContext:
        """What a ``bedboard`` command runs with: its transactions carry every plugin's part of a commit."""
        hooks = [make(settings) for plugin in self.plugins if (make := plugin.command_before_commit) is not None]
        if not hooks:
            return CommandContext(settings)

        async def before_commit(session: AsyncSession, events: Sequence[object]) -> None:
            for hook in hooks:
                await hook(session, events)

        return CommandContext(settings, before_commit=before_commit)

    def install(self, services: AppServices) -> None:
        for plugin in self.plugins:
            if plugin.install is not None:
                plugin.install(services)

    async def start(self, services: AppServices) -> None:
        for plugin in self.plugins:
            if plugin.start is not None:
                await plugin.start(services)

    async def stop(self, services: AppServices) -> None:
        """In reverse order, each plugin stopped even when an earlier stop fails."""
        failures: list[BaseException] = []
        for plugin in reversed(self.plugins):
            if plugin.stop is None:
                continue
            try:
                await plugin.stop(services)
            except Exception as error:  # noqa: BLE001 - every plugin gets its stop; the first failure is raised
                failures.append(error)
        if failures:
            raise failures[0]
