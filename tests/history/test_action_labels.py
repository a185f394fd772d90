"""Every audit action the code can write has a label on the history page, translated in ro, es and sv.

The actions are collected from the code itself, the way they are written: ``audit.record(..., action="...")``,
the nomenclature's ``AuditEntry("...")``, beds' ``_audit_and_announce``, the token scopes' ``audit_prefix``
(``<prefix>_created``, ``_revoked``), the refusal ledger's two actions and the provisioning state machines'
``provisioning.request.<action>`` and ``provisioning.task.<action>``. A new kind of audit event without a label
fails here, not on an auditor's screen.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import httpx
import pytest
from babel.messages.pofile import read_po

from app.history.action_labels import ACTION_LABELS
from app.kit import refusal_ledger
from app.kit.state import AppServices
from app.provisioning.core.workflow import REQUEST_TRANSITIONS, TASK_TRANSITIONS
from app.provisioning.orders import waivers
from tests.factories import make_user
from tests.web import log_in

ROOT = Path(__file__).resolve().parents[2]
RECORDED = re.compile(r'record\([^)]*?\baction="([a-z_]+\.[a-z_.]*[a-z])"', re.DOTALL)  # not a stem ("user_")
ENTRY = re.compile(r'AuditEntry\(\s*"([a-z_]+\.[a-z_.]+)"')
ANNOUNCED = re.compile(r'_audit_and_announce\([^)]*?"([a-z_]+\.[a-z_.]+)"', re.DOTALL)  # beds' writes
PREFIX = re.compile(r'audit_prefix="([a-z_]+\.[a-z_.]+)"')
EITHER = re.compile(r'action="([a-z_]+\.[a-z_.]+)" \+ \("([a-z_]+)" if \w+ else "([a-z_]+)"\)')
# The only places an action is made from a variable; another one must teach this test its values.
FORMATTED = {"accounts/tokens.py": 2, "app/provisioning/core/service.py": 2, "app/provisioning/orders/waivers.py": 1,
             "app/beds/admission.py": 1}


def _sources() -> dict[str, str]:
    files = [*(ROOT / "app").rglob("*.py"), *(ROOT / "accounts").rglob("*.py")]
    return {path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8") for path in files}


@cache
def written_actions() -> frozenset[str]:
    actions = {refusal_ledger.REFUSED, refusal_ledger.REPEATED}
    actions |= {f"provisioning.request.{action}" for _state, action in REQUEST_TRANSITIONS}
    actions |= {f"provisioning.task.{action}" for _state, action in TASK_TRANSITIONS}
    actions |= {f"orders.waiver_{state}" for state in (waivers.CONFIRMED, waivers.REFUSED)}  # a waiver's decision
    # An admission status: f"{target.action_prefix}_{'expired' if expired else 'set'}" (app/beds/admission.py).
    actions |= {f"beds.{target}_admission_{how}" for target in ("hospital", "section") for how in ("set", "expired")}
    for text in _sources().values():
        actions |= set(RECORDED.findall(text)) | set(ENTRY.findall(text)) | set(ANNOUNCED.findall(text))
        actions |= {f"{prefix}_{what}" for prefix in PREFIX.findall(text) for what in ("created", "revoked")}
        actions |= {stem + end for stem, *ends in EITHER.findall(text) for end in ends}
    return frozenset(actions)


def test_the_collection_finds_the_actions_of_every_domain() -> None:
    found = written_actions()
    assert {"accounts.login", "accounts.user_deactivated", "beds.free_beds_set", "beds.hospital_added",
            "beds.api_token_created", "licenses.usage_recorded", "provisioning.request.created",
            "provisioning.task.await_external", "roles.unit_set", "orders.order_placed", "notifications.read",
            "accounts.authorization_refused_repeated"} <= found
    assert len(found) >= 70
    formatted = {path: text.count('action=f"') for path, text in _sources().items() if 'action=f"' in text}
    assert formatted == FORMATTED


def test_every_written_action_has_a_label() -> None:
    assert sorted(written_actions() - ACTION_LABELS.keys()) == []


@pytest.mark.parametrize("language", ["ro", "es", "sv"])
def test_every_label_is_translated(language: str) -> None:
    with (ROOT / "app" / "locales" / language / "LC_MESSAGES" / "history.po").open("rb") as source:
        catalogue = read_po(source, locale=language)
    untranslated = sorted(label for label in ACTION_LABELS.values()
                          if label not in catalogue or not catalogue[label].string)
    assert untranslated == []


@pytest.mark.parametrize(("language", "words"), [("en", "logged in"), ("ro", "autentificat"),
                                                 ("es", "inició sesión"), ("sv", "loggade in")])
async def test_account_events_read_in_words_with_seconds(client: httpx.AsyncClient, services: AppServices,
                                                         language: str, words: str) -> None:
    await make_user(services, "eva.audit", role="auditor")
    await log_in(client, "eva.audit")
    page = await client.get("/audit", params={"kind": "admin", "user": "eva.audit"},
                            headers={"accept-language": language})
    assert page.status_code == 200
    row = re.search(r'<tr data-seq="\d+">(.*?)</tr>', page.text, re.DOTALL)
    assert row
    assert words in row.group(1)
    assert "accounts.login" not in page.text.replace('data-action="accounts.login"', "")
    assert re.search(r"\b\d\d:\d\d:\d\d\b", row.group(1))  # to the second
    assert 'placeholder="2026' not in page.text  # no made-up moment in an empty filter box
