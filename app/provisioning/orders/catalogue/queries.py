"""What the IT-order administrator's catalogue pages show: their organisation's catalogues with the current version,
one catalogue's versions, and a stored catalogue written out for reading. Read only.

The catalogue's texts (system names, questions, quotes) are its own Swedish words and are shown as written; only
the words around them (yes/no, "2–4 weeks", the kind of a channel) are translated for the reader.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from app.kit.actors import Actor
from app.kit.errors import NotFound, PermissionDenied
from app.kit.i18n import _, translate
from app.provisioning.orders import scope, storing
from app.provisioning.orders.catalogue.definitions import Catalogue, Channel, Condition, LeadTime, TaskRule
from app.provisioning.orders.models import ItOrder, OrderCatalogue, OrderCatalogueVersion

YES, NO, OR = _("yes"), _("no"), _(" or ")
CONDITION = _("{question}: {answers}")
WEEKS_BETWEEN = _("{min}–{max} weeks")
WEEKS_AT_MOST = _("up to {max} weeks")
WEEKS_AT_LEAST = _("at least {min} weeks")
CHANNEL_KINDS = {"form": _("Form"), "portal": _("Portal"), "email": _("E-mail"), "in_person": _("In person"),
                 "system": _("Another system")}
SCOPES = {"person": _("For one person"), "organisation": _("For an organisation")}
CHANGE_KINDS = {"added": _("Added"), "removed": _("Removed"), "changed": _("Changed")}
AREAS = {"catalogue": _("Catalogue"), "role": _("Role"), "contact": _("Contact"), "question": _("Question"),
         "action": _("Action"), "system": _("System"), "prerequisite": _("Prerequisite"), "event": _("Event"),
         "task": _("Task")}


@dataclass(frozen=True)
class VersionRow:
    version: int
    file_name: str
    uploaded_at: datetime
    uploaded_by: str  # the uploader's display name; "" when the account is gone


@dataclass(frozen=True)
class CatalogueListing:
    key: str
    name: str
    current: VersionRow
    event_count: int
    system_count: int


async def kept_catalogue(session: AsyncSession, actor: Actor, key: str) -> OrderCatalogue:
    """The catalogue if the actor's organisation keeps it; another organisation's is refused, not hidden."""
    row = await storing.catalogue_row(session, key)
    if row.organisation_id != scope.keeping_organisation(actor):
        raise PermissionDenied(scope.OUTSIDE)
    return row


async def existing(session: AsyncSession, key: str, *, lock: bool = False) -> OrderCatalogue | None:
    """The catalogue stored under ``key``, if any; ``lock`` holds it until the transaction ends."""
    return await session.get(OrderCatalogue, key, with_for_update=lock)


async def version_text(session: AsyncSession, key: str, version: int) -> str:
    """The file of one version as it was uploaded."""
    statement = select(OrderCatalogueVersion.source_text).where(
        OrderCatalogueVersion.catalogue_key == key, OrderCatalogueVersion.version == version)
    text = (await session.execute(statement)).scalar_one_or_none()
    if text is None:
        raise NotFound(_("There is no such catalogue version."))
    return text


async def version_rows(session: AsyncSession, key: str) -> list[VersionRow]:
    """Every stored version, newest first, with who uploaded it."""
    statement = select(OrderCatalogueVersion, User.display_name) \
        .outerjoin(User, User.id == OrderCatalogueVersion.uploaded_by_id) \
        .where(OrderCatalogueVersion.catalogue_key == key).order_by(OrderCatalogueVersion.version.desc())
    return [VersionRow(version.version, version.file_name, version.uploaded_at, name or "")
            for version, name in (await session.execute(statement)).all()]


async def listings(session: AsyncSession, organisation_id: int) -> list[CatalogueListing]:
    found = []
    for row in await storing.kept_by(session, [organisation_id]):
        catalogue = await storing.version_of(session, row.key, row.current_version)
        current = next(version for version in await version_rows(session, row.key)
                       if version.version == row.current_version)
        found.append(CatalogueListing(row.key, catalogue.name, current, len(catalogue.events),
                                      len(catalogue.systems)))
    return found


async def orders_placed(session: AsyncSession, key: str) -> int:
    """How many orders name a version of this catalogue: each keeps the version it was placed from."""
    statement = select(func.count()).select_from(ItOrder).where(ItOrder.catalogue_key == key)
    return int((await session.execute(statement)).scalar_one())


@dataclass(frozen=True)
class TaskView:
    label: str
    who: str
    via: Channel | None
    task: TaskRule
    when: tuple[str, ...]
    for_each: str | None
    needs: tuple[str, ...]  # the prerequisites and the tasks this one waits for, by name


@dataclass(frozen=True)
class LeadTimeView:
    weeks: str
    when: tuple[str, ...]
    quote: str | None


class CatalogueReading:
    """A loaded catalogue in words, for one reader's language: keys replaced by the names the catalogue gives."""

    def __init__(self, catalogue: Catalogue, language: str) -> None:
        self.catalogue, self.language = catalogue, language

    def role(self, key: str | None) -> str:
        if key is None:
            return ""
        found = self.catalogue.roles.get(key)
        return found.name if found is not None else key

    def question(self, key: str) -> str:
        found = self.catalogue.questions.get(key)
        return found.label if found is not None else key

    def conditions(self, conditions: Iterable[Condition]) -> tuple[str, ...]:
        return tuple(self._condition(condition) for condition in conditions)

    def _condition(self, condition: Condition) -> str:
        question = self.catalogue.questions.get(condition.question)
        answers = [translate(self.language, YES if value else NO) if isinstance(value, bool)
                   else question.choice_label(value) if question is not None else value
                   for value in condition.values]
        return translate(self.language, CONDITION, question=self.question(condition.question),
                         answers=translate(self.language, OR).join(answers))

    def task_label(self, task: TaskRule) -> str:
        action = self.catalogue.actions[task.action].name if task.action in self.catalogue.actions else task.action
        if task.system is None:
            return action
        system = self.catalogue.systems.get(task.system)
        return f"{system.name if system is not None else task.system}: {action}"

    def tasks(self, tasks: Sequence[TaskRule]) -> list[TaskView]:
        labels = {task.key: self.task_label(task) for task in tasks}
        prerequisites = self.catalogue.prerequisites
        return [TaskView(labels[task.key], self.role(task.who), task.via or self._system_channel(task), task,
                         self.conditions(task.when), self.question(task.for_each) if task.for_each else None,
                         tuple(prerequisites[key].name if key in prerequisites else key for key in task.requires)
                         + tuple(labels.get(key, key) for key in task.after))
                for task in tasks]

    def _system_channel(self, task: TaskRule) -> Channel | None:
        system = self.catalogue.systems.get(task.system) if task.system is not None else None
        return system.via if system is not None else None

    def channel_kind(self, channel: Channel) -> str:
        return translate(self.language, CHANNEL_KINDS.get(channel.kind, channel.kind))

    def scope(self, scope_key: str) -> str:
        return translate(self.language, SCOPES.get(scope_key, scope_key))

    def lead_times(self, lead_times: Iterable[LeadTime]) -> list[LeadTimeView]:
        return [LeadTimeView(self._weeks(lead), self.conditions(lead.when), lead.quote) for lead in lead_times]

    def _weeks(self, lead: LeadTime) -> str:
        if lead.min_weeks is not None and lead.max_weeks is not None:
            return translate(self.language, WEEKS_BETWEEN, min=lead.min_weeks, max=lead.max_weeks)
        if lead.max_weeks is not None:
            return translate(self.language, WEEKS_AT_MOST, max=lead.max_weeks)
        return translate(self.language, WEEKS_AT_LEAST, min=lead.min_weeks)
