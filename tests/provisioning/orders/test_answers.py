"""An order's answers are checked against its event's questions, each problem named by question."""

from __future__ import annotations

from datetime import date

import pytest

from app.kit.i18n import translate
from app.provisioning.orders.answers import AnswersInvalid, validate_answers
from app.provisioning.orders.catalogue.definitions import Catalogue
from app.provisioning.orders.catalogue.loader import shipped
from app.provisioning.orders.checklist import generate


@pytest.fixture(scope="module")
def skane() -> Catalogue:
    return shipped("skane_audiology")


def problems(catalogue: Catalogue, event: str, answers: dict[str, object]) -> dict[str, str]:
    with pytest.raises(AnswersInvalid) as raised:
        validate_answers(catalogue, event, answers)
    return {problem.question: problem.message.format(**problem.params) for problem in raised.value.problems}


def test_good_answers_come_back_cleaned(skane: Catalogue) -> None:
    answers = validate_answers(skane, "new_user", {"clinics": [" Lund ", "Ystad"], "profession": "audiologist",
                                                   "needs_webpriva_read": False})
    assert dict(answers) == {"clinics": ("Lund", "Ystad"), "profession": "audiologist", "needs_webpriva_read": False}
    leave = validate_answers(skane, "long_leave", {"leave_until": "2026-03-31", "had_auditbase": True})
    assert leave["leave_until"] == date(2026, 3, 31)


def test_every_wrong_answer_is_named_at_once(skane: Catalogue) -> None:
    found = problems(skane, "new_user", {"clinics": ["Lund", "Lund"], "profession": "nurse",
                                         "needs_webpriva_read": "yes", "had_auditbase": True})
    assert found == {
        "had_auditbase": "This question is not asked for Ny användare.",
        "clinics": "Lund is listed twice.",
        "profession": "Choose one of: Audionom, Förskrivare (annan än audionom), Annan yrkesroll.",
        "needs_webpriva_read": "Answer yes or no.",
    }


def test_a_required_answer_may_not_be_left_out_and_a_list_needs_its_least_items(skane: Catalogue) -> None:
    assert problems(skane, "new_user", {"clinics": [], "needs_webpriva_read": True}) == {
        "clinics": "List at least 1.", "profession": "Answer this question."}


def test_an_optional_list_may_be_left_out(skane: Catalogue) -> None:
    answers = validate_answers(skane, "change_of_clinic", {"clinics": ["Lund"], "profession": "other"})
    assert "new_clinics" not in answers


@pytest.mark.parametrize(("answers", "expected"), [
    ({"leave_until": "31/3/2026", "had_auditbase": True}, {"leave_until": "Give a date as YYYY-MM-DD."}),
    ({"leave_until": date(2026, 3, 31), "had_auditbase": 1}, {"had_auditbase": "Answer yes or no."}),
])
def test_dates_and_yes_no_are_strict(skane: Catalogue, answers: dict[str, object], expected: dict[str, str]) -> None:
    assert problems(skane, "long_leave", answers) == expected


def test_numbers_are_whole_and_not_negative() -> None:
    uppsala = shipped("uppsala_care_providers")
    base = {"start_kind": "new_start", "health_care_responsibility": False, "uses_flexite": False, "home_care": False}
    assert problems(uppsala, "start_or_takeover", {**base, "staff_count": -1, "expert_users": True}) == {
        "staff_count": "Give a whole number from 0 to 100000.", "expert_users": "Give a whole number from 0 to 100000."}


def test_an_unknown_event_is_refused_by_name(skane: Catalogue) -> None:
    assert problems(skane, "retirement", {}) == {
        "-": "Unknown event retirement; known: new_user, end_user, change_of_clinic, long_leave, return_from_leave."}


def test_the_checklist_refuses_bad_answers_before_making_any_task(skane: Catalogue) -> None:
    with pytest.raises(AnswersInvalid) as raised:
        generate(skane, "new_user", {"clinics": ["Lund"]})
    assert raised.value.code == "order_answers_invalid"
    assert translate("sv", raised.value.message) == "Några svar behöver rättas."
