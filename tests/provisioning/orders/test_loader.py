"""The catalogue loader refuses every kind of mistake with the file, the line and the field that hold it."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.provisioning.orders.catalogue.loader import load_file, load_text
from app.provisioning.orders.catalogue.problems import CatalogueInvalid
from tests.provisioning.orders.sample_catalogue import FILE, SAMPLE, changed, line_of, only_problem, problems_of

PREREQUISITE_CYCLE = changed("    who: it_contact\n", """    who: it_contact
    requires: [course]
  - key: course
    name: Course
    unblocked_by: The course is booked
    who: it_contact
    requires: [training]
""")
TASK_CYCLE = changed("""        then: {systems: [directory]}
""", """        then: {systems: [directory]}
      - first: {systems: [directory]}
        then: {actions: [cancel]}
""")


def test_the_sample_loads() -> None:
    catalogue = load_text(SAMPLE, FILE)
    assert list(catalogue.events) == ["new_user", "end_user"]
    assert catalogue.systems["vpn"].via is not None
    assert catalogue.systems["vpn"].via.url == "https://portal.example"
    assert catalogue.file == FILE


# (what is wrong, the broken file, where the problem is: (snippet, occurrence) in the broken file, field, message)
MISTAKES = [
    ("unknown role", changed("ordered_by: it_contact", "ordered_by: boss"), ("ordered_by: boss", 1),
     "systems[1].ordered_by", "Unknown role boss; known: it_contact, directory_admin."),
    ("unknown field", changed("    name: VPN\n", "    name: VPN\n    colour: blue\n"), ("colour: blue", 1),
     "systems[1].colour", "Unknown field colour; the fields here are: key, name, ordered_by, via, links, about."),
    ("duplicate key", changed("    name: VPN\n", "    name: VPN\n    name: Virtual network\n"),
     ("name: Virtual network", 1), "systems[1].name",
     f"The field name is given twice (first on line {line_of(SAMPLE, 'name: VPN')})."),
    ("key used twice in a list", changed("{key: other, label: Other}", "{key: audiologist, label: Other}"),
     ("{key: audiologist, label: Other}", 1), "questions[0].choices[1].key",
     "The key audiologist is used twice in this list"),
    ("missing field", changed("    name: VPN\n", ""), ("- key: vpn", 1), "systems[1].name",
     "The field name is missing."),
    ("wrong type: a list expected", changed("asks: [profession]", "asks: profession"), ("asks: profession", 1),
     "events[1].asks", "Expected a list, found text."),
    ("wrong type: a number expected", changed("format: 1", "format: one"), ("format: one", 1), "format",
     "Expected a whole number, found text."),
    ("wrong type: text expected", changed("name: Directory\n", "name: yes\n"), ("name: yes", 1),
     "systems[0].name", "Expected text, found yes/no; put it in quotes if it is meant as text."),
    ("unknown system", changed("system: vpn\n        action: cancel", "system: vnp\n        action: cancel"),
     ("system: vnp", 1), "events[1].tasks[0].system", "Unknown system vnp; known: directory, vpn."),
    ("unknown action", changed("action: delete_record", "action: remove"), ("action: remove", 1),
     "events[1].tasks[1].action", "Unknown action remove; known: order, cancel, delete_record."),
    ("unknown question in a condition", changed("when: {profession: audiologist}", "when: {job: audiologist}"),
     ("when: {job", 1), "events[1].tasks[0].when.job", "Unknown question job; known: profession, clinics, staff."),
    ("unknown choice in a condition", changed("when: {profession: audiologist}", "when: {profession: nurse}"),
     ("when: {profession: nurse}", 1), "events[1].tasks[0].when.profession",
     "Unknown choice nurse; known: audiologist, other."),
    ("unknown prerequisite", changed("requires: [training]", "requires: [exam]"), ("requires: [exam]", 1),
     "events[0].tasks[1].requires[0]", "Unknown prerequisite exam; known: training."),
    ("unknown event in as_for", changed("        action: cancel\n", "        as_for: leaver\n"),
     ("as_for: leaver", 1), "events[1].tasks[0].as_for", "Unknown event leaver; known: new_user, end_user."),
    ("ordering names an unknown system", changed("then: {systems: [directory]}", "then: {systems: [dir]}"),
     ("then: {systems: [dir]}", 1), "events[1].ordering[0].then.systems[0]",
     "Unknown system dir; known: directory, vpn."),
    ("ordering names an unknown task", changed("then: {systems: [directory]}", "then: {tasks: [directory_x]}"),
     ("then: {tasks", 1), "events[1].ordering[0].then.tasks[0]",
     "Unknown task directory_x in this event; known: vpn, directory."),
    ("ordering that matches no task", changed("first: {actions: [cancel]}", "first: {actions: [order]}"),
     ("- first: {actions: [order]}", 1), "events[1].ordering[0].first", "This matches no task of the event."),
    ("prerequisites in a cycle", PREREQUISITE_CYCLE, ("- key: training", 1), "prerequisites[0].requires",
     "The prerequisites require each other in a cycle: training → course → training."),
    ("tasks in a cycle", TASK_CYCLE, ("- key: end_user", 1), "events[1].tasks",
     "The tasks of this event wait on each other in a cycle: vpn → directory → vpn."),
    ("question tested but not asked", changed("asks: [profession, clinics]", "asks: [profession]"),
     ("- system: vpn", 1), "events[0].tasks[1].for_each", "The question clinics is not among the event's asks."),
    ("one task per item of a question that is not a list", changed("for_each: clinics", "for_each: profession"),
     ("for_each: profession", 1), "events[0].tasks[1].for_each",
     "One task per item needs a list question; profession is not one."),
    ("an e-mail channel without its contact", changed('via: {kind: portal, label: Portal, url: "https://portal.example"}',
                                                     "via: {kind: email, label: Mail}"),
     ("via: {kind: email", 1), "systems[1].via.contact", "An e-mail channel names its contact."),
    ("an unknown contact", changed('via: {kind: portal, label: Portal, url: "https://portal.example"}',
                                   "via: {kind: email, label: Mail, contact: helpdesk}"),
     ("contact: helpdesk", 1), "systems[1].via.contact", "Unknown contact helpdesk; known: support."),
    ("a link that is not a web address", changed('url: "https://portal.example"', "url: portal.example"),
     ("url: portal.example", 1), "systems[1].via.url", "portal.example is not a web address"),
    ("an effect that does not exist", changed("effect: grant", "effect: give"), ("effect: give", 1),
     "actions[0].effect", "give is not one of: grant, revoke, change, keep, record, none."),
    ("a format bedboard does not read", changed("format: 1", "format: 2"), ("format: 2", 1), "format",
     "This is format 2; bedboard reads format 1."),
    ("not YAML", changed("key: sample\n", "key: sample: other\n"), ("key: sample: other", 1), "-",
     "This is not valid YAML: mapping values are not allowed here."),
]


@pytest.mark.parametrize(("broken", "where", "field", "message"), [mistake[1:] for mistake in MISTAKES],
                         ids=[mistake[0] for mistake in MISTAKES])
def test_each_mistake_is_named_with_file_line_and_field(broken: str, where: tuple[str, int], field: str,
                                                        message: str) -> None:
    problem = only_problem(broken)
    assert (problem.file, problem.line, problem.field) == (FILE, line_of(broken, *where), field)
    assert message in problem.text()
    assert str(problem).startswith(f"{FILE} line {problem.line}, {field}: ")


def test_the_message_reads_like_the_issue_asks() -> None:
    problem = only_problem(changed("ordered_by: it_contact", "ordered_by: boss"))
    assert str(problem) == (f"sample.yaml line {line_of(SAMPLE, 'ordered_by: it_contact')}, systems[1].ordered_by: "
                            "Unknown role boss; known: it_contact, directory_admin.")


def test_every_mistake_of_a_file_is_reported_at_once_in_file_order() -> None:
    broken = changed("ordered_by: it_contact", "ordered_by: boss")
    broken = changed("action: delete_record", "action: remove", text=broken)
    broken = changed("country: SE", "country: XX", text=broken)
    problems = problems_of(broken)
    assert [problem.field for problem in problems] == ["country", "systems[1].ordered_by", "events[1].tasks[1].action"]
    assert [problem.line for problem in problems] == sorted(problem.line for problem in problems)


def test_anchors_and_aliases_are_refused_where_the_alias_is() -> None:
    broken = changed("name: Sample routine", "name: &routine Sample routine")
    broken = changed("source: A routine document", "source: *routine", text=broken)
    problem = only_problem(broken)
    assert (problem.line, problem.field) == (line_of(broken, "source: *routine"), "-")
    assert problem.text().endswith("This is not valid YAML: aliases (*name) are not allowed.")


def test_an_empty_file_is_refused() -> None:
    assert only_problem("").text() == "sample.yaml line 1, -: The file is empty."


def test_a_problem_reads_in_swedish_for_a_swedish_administrator() -> None:
    problem = only_problem(changed("ordered_by: it_contact", "ordered_by: boss"))
    assert problem.text("sv").endswith("systems[1].ordered_by: Okänd roll boss; kända: it_contact, directory_admin.")
    found = only_problem(changed("name: Directory\n", "name: yes\n"))
    assert "ja/nej" in found.text("sv")


def test_the_error_carries_its_problems_for_a_page_or_the_api() -> None:
    with pytest.raises(CatalogueInvalid) as raised:
        load_text(changed("ordered_by: it_contact", "ordered_by: boss"), FILE)
    error = raised.value
    assert error.code == "order_catalogue_invalid"
    assert error.status == 422
    [detail] = error.details["problems"]
    assert detail["field"] == "systems[1].ordered_by"
    assert detail["params"]["value"] == "boss"


def test_a_file_on_disk_is_reported_under_its_own_name(tmp_path: Path) -> None:
    path = tmp_path / "regional.yaml"
    path.write_text(changed("ordered_by: it_contact", "ordered_by: boss"), encoding="utf-8")
    with pytest.raises(CatalogueInvalid, match=r"^regional\.yaml line \d+, systems\[1\]\.ordered_by: Unknown role"):
        load_file(path)


def test_an_as_for_task_takes_the_repeated_task_and_keeps_its_own_words() -> None:
    text = SAMPLE + """\
  - key: long_leave
    name: Long leave
    scope: person
    asks: [profession]
    tasks:
      - system: vpn
        as_for: end_user
        quote: As for an end user
"""
    catalogue = load_text(text, FILE)
    [task] = catalogue.events["long_leave"].tasks
    assert (task.action, task.who, task.as_for) == ("cancel", "it_contact", "end_user")
    assert task.quote == "As for an end user"
    assert [condition.question for condition in task.when] == ["profession"]


def test_as_for_needs_exactly_one_task_of_the_system_in_the_other_event_and_no_cycle() -> None:
    text = changed("        when: {profession: audiologist}\n", """        when: {profession: audiologist}
      - key: vpn_again
        system: vpn
        action: cancel
""") + """\
  - key: long_leave
    name: Long leave
    scope: person
    asks: [profession]
    tasks:
      - system: vpn
        as_for: end_user
      - system: directory
        as_for: long_leave
"""
    problems = problems_of(text)
    assert [problem.field for problem in problems] == ["events[2].tasks[0].as_for", "events[2].tasks[1].as_for"]
    assert problems[0].text().endswith("As for end_user needs exactly one task for vpn in that event; it has 2.")
    assert "Handling as for another event goes round in a cycle: long_leave → long_leave." in problems[1].text()


def test_every_task_of_an_event_placed_by_one_role_is_done_by_it() -> None:
    text = changed("    asks: [profession]\n", "    asks: [profession]\n    placed_by: it_contact\n")
    catalogue = load_text(text, FILE)
    assert {task.who for task in catalogue.events["end_user"].tasks} == {"it_contact"}
    broken = changed("        action: delete_record\n", "        action: delete_record\n        who: directory_admin\n",
                     text=text)
    problem = only_problem(broken)
    assert problem.field == "events[1].tasks[1].who"
    assert problem.text().endswith("Every task of this event is placed by it_contact, not directory_admin.")


def test_an_event_with_parties_names_the_party_of_each_task() -> None:
    text = changed("    asks: [profession]\n", "    asks: [profession]\n    parties:\n"
                   "      - {key: leaving, name: Leaving}\n")
    problems = problems_of(text)
    assert [problem.field for problem in problems] == ["events[1].tasks[0].party", "events[1].tasks[1].party"]

