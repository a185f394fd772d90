"""The preview of an uploaded catalogue lists what it changes against the current one, and nothing else."""

from __future__ import annotations

from functools import cache
from importlib import resources

import pytest

from app.provisioning.orders.catalogue.definitions import Catalogue
from app.provisioning.orders.catalogue.diff import CatalogueChange, compare_catalogues
from app.provisioning.orders.catalogue.loader import SHIPPED, load_text, shipped

SKANE = "skane_audiology"


@cache
def shipped_text(key: str) -> str:
    return resources.files("app.provisioning.orders").joinpath(f"catalogues/{key}.yaml").read_text(encoding="utf-8")


def edited(before: str, after: str, *more: tuple[str, str]) -> Catalogue:
    """The shipped Skåne catalogue with passages of its text replaced, loaded the way an upload is."""
    text = shipped_text(SKANE)
    for old, new in ((before, after), *more):
        assert text.count(old) == 1, f"each edit must hit exactly one place: {old!r}"
        text = text.replace(old, new)
    return load_text(text, f"{SKANE}.yaml")


@pytest.mark.parametrize("key", SHIPPED)
def test_an_unchanged_upload_shows_no_change(key: str) -> None:
    assert compare_catalogues(shipped(key), load_text(shipped_text(key), f"{key}.yaml")) == []


def test_a_system_ordered_by_someone_else_another_way_shows_both_fields_and_who_now_does_its_tasks() -> None:
    new = edited("    ordered_by: directory_admin\n    via: {kind: portal, label: Logga in på SKAT}\n",
                 "    ordered_by: it_contact\n    via: {kind: form, label: Blankett för SKAT}\n")

    changes = compare_catalogues(shipped(SKANE), new)

    assert changes[0] == CatalogueChange("changed", "system", "skat", "Skånekatalogen (SKAT)", ("ordered_by", "via"))
    # The tasks that name no one of their own are done by whoever orders the system, so they change with it.
    assert [(change.key, change.fields) for change in changes[1:]] == [
        (f"{event}/skat", ("who",)) for event in ("new_user", "end_user", "change_of_clinic", "long_leave",
                                                   "return_from_leave")]


def test_a_task_taken_out_of_an_event_and_another_put_in_show_as_removed_and_added() -> None:
    new = edited("""      - system: e_card
        action: no_action
        quote: Ingen åtgärd
      - system: rsvpn
""", """      - system: webpriva
        action: change
        quote: Ändra behörighet i WebPriva.
      - system: rsvpn
""")

    assert compare_catalogues(shipped(SKANE), new) == [
        CatalogueChange("added", "task", "change_of_clinic/webpriva", "WebPriva behörighet: Ändra behörighet"),
        CatalogueChange("removed", "task", "change_of_clinic/e_card", "E-tjänstekort (RS-kort): Ingen åtgärd"),
    ]


def test_a_new_event_shows_as_one_addition() -> None:
    text = shipped_text(SKANE) + """
  - key: name_change
    name: Namnbyte
    scope: person
    asks: [clinics]
    tasks:
      - system: skat
        action: move
"""
    new = load_text(text, f"{SKANE}.yaml")

    assert compare_catalogues(shipped(SKANE), new) == [
        CatalogueChange("added", "event", "name_change", "Namnbyte")]


def test_a_question_with_other_choices_shows_its_choices_as_changed() -> None:
    new = edited("      - {key: other, label: Annan yrkesroll}\n",
                 "      - {key: assistant, label: Audionomassistent}\n      - {key: other, label: Annan yrkesroll}\n")

    assert compare_catalogues(shipped(SKANE), new) == [
        CatalogueChange("changed", "question", "profession", "Yrke", ("choices",))]


def test_an_event_and_its_tasks_show_together_with_removed_events_after_the_rest() -> None:
    text = shipped_text(SKANE)
    removed_event = text[text.index("  - key: change_of_clinic\n"):text.index("  - key: long_leave\n")]
    text = (text.replace(removed_event, "")
            .replace("Gäller den som ska återgå i tjänst; den som inte kommer åter avslutas som användare.",
                     "Gäller bara den som ska återgå i tjänst.")
            .replace("action: note_leave\n", "action: note_leave\n        who: it_contact\n"))

    assert compare_catalogues(shipped(SKANE), load_text(text, f"{SKANE}.yaml")) == [
        CatalogueChange("changed", "event", "long_leave", "Tjänstledighet längre", ("note",)),
        CatalogueChange("changed", "task", "long_leave/skat", "Skånekatalogen (SKAT): Notera tjänstledighet",
                        ("who",)),
        CatalogueChange("removed", "event", "change_of_clinic", "Byte mottagning inom företag"),
    ]


def test_a_new_name_and_source_show_as_a_change_of_the_catalogue_itself() -> None:
    new = edited("name: Region Skåne – personlig IT för audionommottagningar\n",
                 "name: Region Skåne – personlig IT\n",
                 ("version 1.2, godkänd 2022-10-27:", "version 1.3, godkänd 2024-03-01:"))

    assert compare_catalogues(shipped(SKANE), new) == [
        CatalogueChange("changed", "catalogue", SKANE, "Region Skåne – personlig IT", ("name", "source"))]


def test_comments_and_moved_lines_show_no_change() -> None:
    text = "# Reviewed 2024: wording unchanged.\n\n" + shipped_text(SKANE).replace("\nevents:\n", "\n\n\nevents:\n")
    old, new = shipped(SKANE), load_text(text, f"{SKANE}.yaml")
    old_place, new_place = old.events["end_user"].tasks[0].place, new.events["end_user"].tasks[0].place
    assert old_place is not None
    assert new_place is not None
    assert new_place.line == old_place.line + 4

    assert compare_catalogues(old, new) == []
