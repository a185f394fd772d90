"""The tasks that accepting a licence request orders, from the catalogue, one set per collaborator."""

from __future__ import annotations

from functools import cache
from typing import Final

from app.kit.i18n import _
from app.provisioning.core.catalogues import load_document, parse_plans
from app.provisioning.core.workflow import TaskSpec
from app.provisioning.licenses.kinds import HELPDESK, OFFICER, REFERENT

TASK_ACTION_LABELS: Final = {
    "generate_node_keys": _("Generate the access keys to the user's nodes"),
    "notify_user": _("Tell the user the licence is active"),
}


@cache
def license_plans() -> dict[str, list[TaskSpec]]:
    return parse_plans(load_document("licenses"), known_roles=frozenset({REFERENT, OFFICER, HELPDESK}),
                       known_actions=frozenset(TASK_ACTION_LABELS), source="catalogues/licenses.json")


def plan_for_collaborators(kind: str, runs: list[str]) -> list[TaskSpec]:
    """The kind's plan repeated for each person: keys are prefixed with the RUN, so each chain is its own."""
    template = license_plans().get(kind, [])
    return [TaskSpec(f"{run}:{spec.key}", spec.target_system, spec.action, spec.assignee_role,
                     tuple(f"{run}:{key}" for key in spec.depends_on))
            for run in runs for spec in template]
