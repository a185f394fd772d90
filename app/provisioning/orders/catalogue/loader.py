"""Loading a catalogue file: YAML read as nodes, every field and reference checked, then the whole-file checks.

Nothing half-checked comes out: either a ``Catalogue`` or ``CatalogueInvalid`` listing every mistake with its
file, line and field ("skane_audiology.yaml line 42, systems[3].ordered_by: Unknown role boss; known: ...").
The shipped catalogues live in ``catalogues/`` next to this module and load the same way an upload would.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from importlib import resources
from pathlib import Path

import holidays
import yaml

from app.kit.i18n import _
from app.provisioning.orders.catalogue import graph, groups
from app.provisioning.orders.catalogue.declarations import (
    Known,
    declared_keys,
    keyed,
    read_action,
    read_contact,
    read_prerequisite,
    read_question,
    read_role,
    read_system,
)
from app.provisioning.orders.catalogue.definitions import Catalogue, Event
from app.provisioning.orders.catalogue.event_rules import read_event
from app.provisioning.orders.catalogue.nodes import Reader, compose
from app.provisioning.orders.catalogue.problems import CatalogueInvalid, CatalogueProblem

FORMAT_VERSION = 1
TOP_FIELDS = ("format", "key", "name", "source", "country", "roles", "questions", "actions", "systems", "events")
TOP_OPTIONAL = ("contacts", "prerequisites", "groups")
DECLARED = ("roles", "contacts", "questions", "actions", "systems", "prerequisites", "events")
SHIPPED = ("skane_audiology", "uppsala_care_providers")


def load_text(text: str, file: str) -> Catalogue:
    """The catalogue a file's text describes; ``file`` is the name its problems are reported under."""
    root, problems = compose(text, file)
    if root is None:
        raise CatalogueInvalid(problems or [CatalogueProblem(file, 1, "-", _("The file is empty."))])
    reader = Reader(file)
    catalogue = _read(reader, root)
    if reader.problems or catalogue is None:
        raise CatalogueInvalid(reader.problems)
    events, problems = graph.resolve_as_for(catalogue.events)
    problems += graph.prerequisite_cycle(catalogue.prerequisites)
    if not problems:
        for event in events.values():
            problems += graph.event_problems(event, catalogue.prerequisites)
    resolved = dataclasses.replace(catalogue, events=events)
    problems += groups.unfulfilled(resolved)
    if problems:
        raise CatalogueInvalid(problems)
    return resolved


def load_file(path: Path) -> Catalogue:
    return load_text(path.read_text(encoding="utf-8"), path.name)


def shipped_text(key: str) -> str:
    """The YAML text of one of the catalogues that come with bedboard."""
    if key not in SHIPPED:
        raise KeyError(key)
    return resources.files("app.provisioning.orders").joinpath(f"catalogues/{key}.yaml").read_text(encoding="utf-8")


@cache
def shipped(key: str) -> Catalogue:
    """One of the catalogues that come with bedboard (checked by the tests, so loading them cannot fail)."""
    return load_text(shipped_text(key), f"{key}.yaml")


def _read(reader: Reader, root: yaml.Node) -> Catalogue | None:
    fields = reader.fields(root, "", required=TOP_FIELDS, optional=TOP_OPTIONAL)
    if fields is None or not set(TOP_FIELDS) <= fields.keys():
        return None
    version = reader.integer(fields["format"], "format")
    if version is not None and version != FORMAT_VERSION:
        reader.report(fields["format"], "format", _("This is format {value}; bedboard reads format {known}."),
                      value=version, known=FORMAT_VERSION)
    country = reader.text(fields["country"], "country")
    if country and country not in holidays.list_supported_countries():
        reader.report(fields["country"], "country", _("No public holidays are known for the country {value}."),
                      value=country)
    known = _declarations(reader, fields)
    events: dict[str, Event] = keyed(reader, fields["events"], "events",
                                     lambda item, where: read_event(reader, known, item, where), lambda e: e.key)
    fulfilling = (groups.read_groups(reader, known, fields["groups"], groups.task_keys_of(fields["events"]))
                  if "groups" in fields else {})
    key, name = reader.key(fields["key"], "key"), reader.text(fields["name"], "name")
    source = reader.text(fields["source"], "source")
    if not (key and name and source and country):
        return None
    return Catalogue(key, name, source, country, reader.file, known.roles, known.contacts, known.questions,
                     known.actions, known.systems, known.prerequisites, events, fulfilling)


def _declarations(reader: Reader, fields: dict[str, yaml.Node]) -> Known:
    """Roles, contacts, questions, actions, systems and prerequisites, each list after those it refers to."""
    known = Known(declared={section: declared_keys(fields.get(section)) for section in DECLARED})
    known.roles = keyed(reader, fields["roles"], "roles", lambda item, where: read_role(reader, item, where),
                        lambda role: role.key)
    if "contacts" in fields:
        known.contacts = keyed(reader, fields["contacts"], "contacts",
                               lambda item, where: read_contact(reader, item, where), lambda contact: contact.key)
    known.questions = keyed(reader, fields["questions"], "questions",
                            lambda item, where: read_question(reader, known, item, where),
                            lambda question: question.key)
    known.actions = keyed(reader, fields["actions"], "actions", lambda item, where: read_action(reader, item, where),
                          lambda action: action.key)
    known.systems = keyed(reader, fields["systems"], "systems",
                          lambda item, where: read_system(reader, known, item, where), lambda system: system.key)
    if "prerequisites" in fields:
        known.prerequisites = keyed(reader, fields["prerequisites"], "prerequisites",
                                    lambda item, where: read_prerequisite(reader, known, item, where),
                                    lambda prerequisite: prerequisite.key)
    return known
