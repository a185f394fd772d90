"""Checklists generated from the Skåne catalogue for the issue's scenarios (seed 002)."""

from __future__ import annotations

import pytest

from app.provisioning.core import workflow
from app.provisioning.orders.catalogue.loader import shipped
from app.provisioning.orders.checklist import Checklist, GeneratedTask, generate

CLINICS = ["Hörselmottagningen Lund", "Hörselmottagningen Ystad"]


def skane(event: str, **answers: object) -> Checklist:
    return generate(shipped("skane_audiology"), event, answers)


def rows(checklist: Checklist) -> dict[str, tuple[str, str]]:
    """system -> (action, state when created), for events with one task per system."""
    found: dict[str, tuple[str, str]] = {}
    for task in checklist.tasks:
        assert task.system is not None
        assert task.system not in found
        found[task.system] = (task.action, task.initial_state)
    return found


def position(checklist: Checklist, key: str) -> int:
    return [task.key for task in checklist.tasks].index(key)


@pytest.fixture
def new_audiologist() -> Checklist:
    return skane("new_user", clinics=CLINICS, profession="audiologist", needs_webpriva_read=True)


def test_a_new_audiologist_at_two_clinics_gets_all_seven_systems(new_audiologist: Checklist) -> None:
    work = [task for task in new_audiologist.tasks if task.kind == "task"]
    assert sorted({task.system for task in work if task.system}) == sorted(
        ["skat", "e_card", "rsvpn", "websesam", "auditbase", "priva", "webpriva"])
    assert all(task.applies and task.initial_state == workflow.PENDING for task in work)
    assert new_audiologist.unaddressed_systems == ()


def test_one_care_provider_id_is_ordered_per_clinic(new_audiologist: Checklist) -> None:
    priva = new_audiologist.of_system("priva")
    assert [(task.key, task.item, task.action) for task in priva] == [
        ("priva.1", CLINICS[0], "order"), ("priva.2", CLINICS[1], "order")]
    assert {task.via.url for task in priva if task.via} == {"https://skane.se/serviceportalen/externa-formular"}


def test_websesam_is_blocked_until_the_prescriber_training_is_done(new_audiologist: Checklist) -> None:
    websesam = new_audiologist.task("websesam")
    [blocker] = websesam.blocked_by
    assert (blocker.prerequisite, blocker.name) == ("prescriber_training", "Socialstyrelsens förskrivarutbildning")
    assert "genomfört Socialstyrelsens förskrivarutbildning" in blocker.unblocked_by
    training = new_audiologist.task(blocker.task)
    assert training.kind == "prerequisite"
    assert training.who == "it_contact"
    assert blocker.task in websesam.depends_on
    assert position(new_audiologist, blocker.task) < position(new_audiologist, "websesam")


def test_the_directory_record_comes_first_because_the_orders_name_its_rsid(new_audiologist: Checklist) -> None:
    assert new_audiologist.tasks[0].key == "skat"
    assert new_audiologist.task("skat").who == "directory_admin"
    for task in new_audiologist.tasks:
        if task.action == "order":
            assert "skat" in task.depends_on


def test_tasks_carry_the_role_the_address_and_the_routines_words(new_audiologist: Checklist) -> None:
    rsvpn = new_audiologist.task("rsvpn")
    assert (rsvpn.who_name, rsvpn.action_name) == ("Mottagningens IT-kontaktperson", "Beställ")
    assert rsvpn.via is not None
    assert rsvpn.via.url == "https://ritz.skane.se/sp/"
    assert rsvpn.quote is not None
    assert "RSVPN – Externa vårdgivare - Audionom" in rsvpn.quote


def test_a_plan_the_workflow_accepts(new_audiologist: Checklist) -> None:
    specs = [task.spec() for task in new_audiologist.tasks]
    assert {spec.key for spec in workflow.ordered_plan(specs)} == {task.key for task in new_audiologist.tasks}


def test_someone_who_is_not_an_audiologist_gets_no_care_provider_id_nor_training() -> None:
    checklist = skane("new_user", clinics=CLINICS, profession="other", needs_webpriva_read=False)
    [priva] = checklist.of_system("priva")
    assert not priva.applies
    assert priva.initial_state == workflow.NOT_APPLICABLE
    assert priva.conditions[0].explain() == "Yrke: Audionom (answered Annan yrkesroll)"
    assert checklist.task("websesam").blocked_by == ()
    assert not any(task.kind == "prerequisite" for task in checklist.tasks)
    assert not checklist.task("webpriva").applies


def test_an_end_user_s_directory_record_waits_for_every_cancellation() -> None:
    checklist = skane("end_user", clinics=CLINICS, profession="audiologist", had_auditbase=True,
                      had_webpriva_read=True)
    skat = checklist.task("skat")
    assert skat.action == "delete_record"
    assert set(skat.depends_on) == {"rsvpn", "websesam", "auditbase", "priva.1", "priva.2", "webpriva"}
    assert all(position(checklist, key) < position(checklist, "skat") for key in skat.depends_on)
    card = checklist.task("e_card")
    assert (card.action_name, card.depends_on) == ("Lämna tillbaka ituklippt till kortstation", ())


def test_an_end_user_without_auditbase_or_webpriva_waits_only_for_what_they_had() -> None:
    checklist = skane("end_user", clinics=CLINICS[:1], profession="other", had_auditbase=False,
                      had_webpriva_read=False)
    assert checklist.task("skat").depends_on == ("rsvpn", "websesam")
    assert not checklist.task("auditbase").applies
    assert not checklist.task("webpriva").applies


def test_a_long_leave_is_exactly_the_routines_section_4() -> None:
    checklist = skane("long_leave", leave_until="2026-03-31", had_auditbase=True)
    assert rows(checklist) == {
        "skat": ("note_leave", workflow.PENDING),  # 4.1 notera att personen är tjänstledig och till när
        "e_card": ("no_action", workflow.NOT_APPLICABLE),  # 4.2 Ingen åtgärd om personen ska återgå i tjänst
        "rsvpn": ("cancel", workflow.PENDING),  # 4.3 Hantering som under Avsluta användare
        "websesam": ("cancel", workflow.PENDING),  # 4.4 Hantering som under Avsluta användare
        "auditbase": ("cancel", workflow.PENDING),  # 4.5 Hantering som under Avsluta användare
        "priva": ("no_action", workflow.NOT_APPLICABLE),  # 4.6 Ingen åtgärd om personen kommer åter.
    }
    assert checklist.task("rsvpn").as_for == "end_user"
    assert checklist.task("e_card").quote == (
        "Ingen åtgärd om personen ska återgå i tjänst. Kort bör sparas hos vårdgivaren.")
    # The routine says nothing of WebPriva for a long leave: the checklist says so rather than guessing.
    assert checklist.unaddressed_systems == ("webpriva",)
    # Nothing is deleted, so nothing waits.
    assert all(task.depends_on == () for task in checklist.tasks)


def test_a_change_of_clinic_is_exactly_the_routines_section_3() -> None:
    checklist = skane("change_of_clinic", clinics=CLINICS, profession="audiologist", new_clinics=[CLINICS[1]])
    assert rows(checklist) == {
        "skat": ("move", workflow.PENDING),  # 3.1 kan flytta personposten till annan vårdenhet
        "e_card": ("no_action", workflow.NOT_APPLICABLE),  # 3.2 Ingen åtgärd
        "rsvpn": ("no_action", workflow.NOT_APPLICABLE),  # 3.3 Ingen åtgärd
        "websesam": ("change", workflow.PENDING),  # 3.4 Fyll i och skicka blankett
        "auditbase": ("no_action", workflow.NOT_APPLICABLE),  # 3.5 Ingen åtgärd
        "priva": ("order", workflow.PENDING),  # 3.6 beställning för upplägg på ytterligare avtalsparter
    }
    assert checklist.task("priva.1").item == CLINICS[1]
    assert [task.action_name for task in checklist.tasks if task.no_action] == ["Ingen åtgärd"] * 3
    assert checklist.unaddressed_systems == ("webpriva",)


def test_a_change_of_clinic_where_the_audiologist_is_already_registered_orders_no_id() -> None:
    checklist = skane("change_of_clinic", clinics=CLINICS, profession="audiologist", new_clinics=[])
    [priva] = checklist.of_system("priva")
    assert (priva.applies, priva.empty_for_each, priva.item) == (False, "new_clinics", None)


def test_the_return_from_leave_orders_again_what_the_leave_cancelled() -> None:
    checklist = skane("return_from_leave", profession="audiologist", had_auditbase=False)
    assert {task.system: task.action for task in checklist.tasks if task.applies and not task.no_action} == {
        "rsvpn": "order", "websesam": "order"}
    assert checklist.event.note is not None
    assert "Inget eget avsnitt i rutinen" in checklist.event.note


def test_every_generated_task_says_who_does_it() -> None:
    checklist = skane("end_user", clinics=CLINICS, profession="audiologist", had_auditbase=True,
                      had_webpriva_read=True)
    by_role: dict[str, list[GeneratedTask]] = {}
    for task in checklist.tasks:
        by_role.setdefault(task.who, []).append(task)
    assert [task.system for task in by_role["directory_admin"]] == ["skat"]
