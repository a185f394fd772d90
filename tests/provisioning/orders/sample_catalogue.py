"""A small, valid catalogue in the shipped format, for tests that break it one mistake at a time."""

from __future__ import annotations

import pytest

from app.provisioning.orders.catalogue.loader import load_text
from app.provisioning.orders.catalogue.problems import CatalogueInvalid, CatalogueProblem

FILE = "sample.yaml"

SAMPLE = """\
format: 1
key: sample
name: Sample routine
source: A routine document
country: SE
roles:
  - {key: it_contact, name: IT contact}
  - {key: directory_admin, name: Directory administrator}
contacts:
  - {key: support, name: Support desk}
questions:
  - key: profession
    label: Profession
    type: choice
    choices:
      - {key: audiologist, label: Audiologist}
      - {key: other, label: Other}
  - key: clinics
    label: Clinics
    type: list
    min_items: 1
  - key: staff
    label: Staff
    type: number
actions:
  - {key: order, name: Order, effect: grant}
  - {key: cancel, name: Cancel, effect: revoke}
  - {key: delete_record, name: Delete the record, effect: revoke}
systems:
  - key: directory
    name: Directory
    ordered_by: directory_admin
  - key: vpn
    name: VPN
    ordered_by: it_contact
    via: {kind: portal, label: Portal, url: "https://portal.example"}
prerequisites:
  - key: training
    name: Training
    unblocked_by: The training is done
    who: it_contact
events:
  - key: new_user
    name: New user
    scope: person
    asks: [profession, clinics]
    tasks:
      - system: directory
        action: order
      - system: vpn
        action: order
        requires: [training]
        for_each: clinics
  - key: end_user
    name: End user
    scope: person
    asks: [profession]
    tasks:
      - system: vpn
        action: cancel
        when: {profession: audiologist}
      - system: directory
        action: delete_record
    ordering:
      - first: {actions: [cancel]}
        then: {systems: [directory]}
"""


def line_of(text: str, snippet: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line containing ``snippet``."""
    found = [number for number, line in enumerate(text.splitlines(), start=1) if snippet in line]
    return found[occurrence - 1]


def changed(old: str, new: str, occurrence: int = 1, text: str = SAMPLE) -> str:
    """``text`` with the ``occurrence``-th ``old`` replaced by ``new``."""
    parts = text.split(old)
    assert len(parts) > occurrence, f"{old!r} occurs fewer than {occurrence} times"
    return old.join(parts[:occurrence]) + new + old.join(parts[occurrence:])


def problems_of(text: str) -> tuple[CatalogueProblem, ...]:
    with pytest.raises(CatalogueInvalid) as raised:
        load_text(text, FILE)
    return raised.value.problems


def only_problem(text: str) -> CatalogueProblem:
    problems = problems_of(text)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]
