"""Mistakes in the less common fields of a catalogue (lead times, checks, parties, channels) are named by file,
line and field like the common ones."""

from __future__ import annotations

import pytest

from tests.provisioning.orders.sample_catalogue import SAMPLE, changed, line_of, only_problem


def with_event(body: str, asks: str = "[profession, staff]") -> str:
    """The sample with one more event whose fields after ``asks`` are ``body`` (indented as in the file)."""
    return SAMPLE + f"""\
  - key: extra
    name: Extra
    scope: organisation
    asks: {asks}
{body}"""


# Mistakes in the less common fields: (what is wrong, the broken file, the snippet of the line, field, message)
MORE_MISTAKES = [
    ("a lead time without weeks", with_event("    lead_times:\n      - {}\n    tasks: []\n"), "- {}",
     "events[2].lead_times[0].max_weeks", "A lead time gives min_weeks, max_weeks or both."),
    ("a lead time shorter at most than at least",
     with_event("    lead_times:\n      - {min_weeks: 4, max_weeks: 2}\n    tasks: []\n"), "min_weeks: 4",
     "events[2].lead_times[0].min_weeks", "min_weeks is more than max_weeks."),
    ("a lead time on a question not asked",
     with_event("    lead_times:\n      - {when: {profession: other}, max_weeks: 2}\n    tasks: []\n", asks="[staff]"),
     "when: {profession: other}, max_weeks", "events[2].lead_times[0].when",
     "The question profession is not among the event's asks."),
    ("a share check without its total",
     with_event("    tasks: []\n    checks:\n      - {key: experts, name: Experts, kind: share, question: staff}\n"),
     "key: experts", "events[2].checks[0].kind", "A share check, and only it, gives of and percent."),
    ("a check reading the wrong kind of question",
     with_event("    tasks: []\n    checks:\n      - {key: named, name: Named, kind: named, question: staff}\n"),
     "key: named", "events[2].checks[0].question",
     "A named check reads a list question; staff is not one."),
    ("a tasks_done check with a question",
     with_event("    tasks: []\n    checks:\n      - {key: done, name: Done, kind: tasks_done, question: staff}\n"),
     "key: done", "events[2].checks[0].kind", "A tasks_done check names tasks; every other check names a question."),
    ("a task without system or key",
     with_event("    tasks:\n      - {action: order, who: it_contact}\n"), "- {action: order",
     "events[2].tasks[0].key", "A task without a system needs a key."),
    ("a task without system or who", with_event("    tasks:\n      - {key: call, action: order}\n"), "- {key: call",
     "events[2].tasks[0].who", "A task without a system says who does it."),
    ("after names an unknown task",
     with_event("    tasks:\n      - {system: vpn, action: order, after: [directory]}\n"), "- {system: vpn",
     "events[2].tasks[0].after", "Unknown task directory in this event; known: vpn."),
    ("a condition on a number", with_event("    tasks:\n      - {system: vpn, action: order, when: {staff: 3}}\n"),
     "when: {staff", "events[2].tasks[0].when.staff",
     "Only yes/no and choice answers can be tested; staff is not one."),
    ("a party on an event without parties",
     with_event("    tasks:\n      - {system: vpn, action: order, party: buyer}\n"), "party: buyer",
     "events[2].tasks[0].party", "This event has no parties."),
    ("an unknown party", with_event("    parties:\n      - {key: seller, name: Seller}\n"
                                    "    tasks:\n      - {system: vpn, action: order, party: buyer}\n"),
     "party: buyer", "events[2].tasks[0].party", "Unknown party buyer; known: seller."),
    ("as_for and action together",
     with_event("    tasks:\n      - {system: vpn, action: order, as_for: end_user}\n"), "as_for: end_user",
     "events[2].tasks[0].action", "takes that event's action: remove action or as_for."),
    ("a key that is not a key", changed("key: sample", "key: Sample Routine"), "key: Sample Routine", "key",
     "Sample Routine is not a key: use a-z, 0-9 and _, starting with a letter."),
    ("a choice question without choices", changed("    type: choice\n    choices:\n      - {key: audiologist, "
                                                  "label: Audiologist}\n      - {key: other, label: Other}\n",
                                                  "    type: choice\n"),
     "- key: profession", "questions[0].choices", "A choice question lists its choices."),
    ("min_items on a question that is not a list",
     changed("    type: number\n", "    type: number\n    min_items: 2\n"),
     "min_items: 2", "questions[2].min_items", "Only a list question has min_items."),
    ("an e-mail channel with a web address",
     changed('via: {kind: portal, label: Portal, url: "https://portal.example"}',
             'via: {kind: email, label: Mail, contact: support, url: "https://portal.example"}'),
     "via: {kind: email", "systems[1].via.url", "An e-mail channel has no web address."),
    ("a contact whose address is not one", changed("{key: support, name: Support desk}",
                                                   "{key: support, name: Support desk, email: support}"),
     "email: support", "contacts[0].email", "support is not an e-mail address."),
    ("an empty text", changed("name: Sample routine", 'name: " "'), 'name: " "', "name", "This text is empty."),
    ("a list where fields belong", changed("  - {key: support, name: Support desk}", "  - [support]"), "- [support]",
     "contacts[0]", "Expected a mapping of fields, found a list."),
]


@pytest.mark.parametrize(("broken", "snippet", "field", "message"), [mistake[1:] for mistake in MORE_MISTAKES],
                         ids=[mistake[0] for mistake in MORE_MISTAKES])
def test_mistakes_in_less_common_fields_are_named_too(broken: str, snippet: str, field: str, message: str) -> None:
    problem = only_problem(broken)
    assert (problem.line, problem.field) == (line_of(broken, snippet), field)
    assert message in problem.text()
