"""How the generator turns rules into tasks, on the small sample catalogue: prerequisite chains, fan-out, skipped
tasks and the order."""

from __future__ import annotations

from app.provisioning.core import workflow
from app.provisioning.orders.catalogue.definitions import Catalogue
from app.provisioning.orders.catalogue.loader import load_text
from app.provisioning.orders.checklist import generate
from tests.provisioning.orders.sample_catalogue import SAMPLE, changed

# The training needs a booked course first, but only audiologists take the course.
CHAINED = changed("    who: it_contact\n", """    who: it_contact
    requires: [course]
  - key: course
    name: Course booked
    unblocked_by: The course is booked
    who: it_contact
    when: {profession: audiologist}
""")


def sample(text: str = SAMPLE) -> Catalogue:
    return load_text(text, "sample.yaml")


def test_a_chain_of_prerequisites_comes_before_the_task_and_blocks_it() -> None:
    checklist = generate(sample(CHAINED), "new_user", {"profession": "audiologist", "clinics": ["A", "B"]})
    assert [task.key for task in checklist.tasks] == [
        "directory", "prerequisite:course", "prerequisite:training", "vpn.1", "vpn.2"]
    assert checklist.task("prerequisite:training").depends_on == ("prerequisite:course",)
    for key in ("vpn.1", "vpn.2"):
        task = checklist.task(key)
        assert [blocker.prerequisite for blocker in task.blocked_by] == ["training", "course"]
        assert task.depends_on == ("prerequisite:training", "prerequisite:course")


def test_a_prerequisite_whose_condition_fails_is_left_out_of_the_chain() -> None:
    checklist = generate(sample(CHAINED), "new_user", {"profession": "other", "clinics": ["A"]})
    assert checklist.task("prerequisite:training").depends_on == ()
    assert [blocker.prerequisite for blocker in checklist.task("vpn.1").blocked_by] == ["training"]
    assert "prerequisite:course" not in {task.key for task in checklist.tasks}


def test_a_task_that_does_not_apply_stays_listed_and_holds_nothing_up() -> None:
    checklist = generate(sample(), "end_user", {"profession": "other"})
    vpn = checklist.task("vpn")
    assert (vpn.applies, vpn.initial_state, vpn.depends_on) == (False, workflow.NOT_APPLICABLE, ())
    assert checklist.task("directory").depends_on == ()
    applying = generate(sample(), "end_user", {"profession": "audiologist"})
    assert applying.task("directory").depends_on == ("vpn",)
    assert [task.key for task in applying.tasks] == ["vpn", "directory"]


def test_fanned_out_tasks_are_numbered_and_carry_their_item() -> None:
    checklist = generate(sample(), "new_user", {"profession": "other", "clinics": ["North", "South", "East"]})
    assert [(task.key, task.rule, task.item) for task in checklist.of_system("vpn")] == [
        ("vpn.1", "vpn", "North"), ("vpn.2", "vpn", "South"), ("vpn.3", "vpn", "East")]


def test_every_task_becomes_a_workflow_task_spec() -> None:
    checklist = generate(sample(), "end_user", {"profession": "audiologist"})
    assert [task.spec() for task in checklist.tasks] == [
        workflow.TaskSpec("vpn", "vpn", "cancel", "it_contact", ()),
        workflow.TaskSpec("directory", "directory", "delete_record", "directory_admin", ("vpn",)),
    ]
