"""One catalogue change request as its page shows it: the proposal in words, what it would change in the current
version (or why it no longer applies), its history, and the steps the viewer may take now. Read only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation, User
from app.kit.actors import Actor
from app.kit.errors import NotFound
from app.kit.i18n import _
from app.provisioning.core import service, workflow
from app.provisioning.core.request_pages import HistoryEntry, RequestFacts, request_facts, request_history
from app.provisioning.roles import kinds
from app.provisioning.roles.catalogue.versions import (
    OPERATIONS,
    CatalogueChangeInvalid,
    CatalogueDiff,
    OperationProblem,
    apply_operations,
    current_roles,
    diff,
    load_catalogue,
    region_unit_ids,
    role_key,
)
from app.provisioning.roles.change_queries import ProposalContext, proposal_context, region_units, require_sight
from app.provisioning.roles.models import CatalogueChange

HISTORY_LABELS: Final = {
    "provisioning.request.created": _("Created"),
    "provisioning.request.submit": _("Proposed"),
    "provisioning.request.accept": _("Approved by the head of operations"),
    "provisioning.request.reject": _("Not approved"),
    "provisioning.request.start": _("Review started"),
    "provisioning.request.ask_requester": _("Sent back to the requester"),
    "provisioning.request.answer": _("Revised"),
    "provisioning.request.resubmit": _("Back to the head of operations for approval"),
    "provisioning.request.complete": _("Applied"),
    "provisioning.request.cancel": _("Cancelled"),
}


@dataclass(frozen=True)
class Sentence:
    """A message id and its parameters, translated when shown."""

    message: str
    params: Mapping[str, str]


@dataclass(frozen=True)
class Preview:
    """What applying the change to the current version would do, or why it cannot."""

    version: int
    change: CatalogueDiff | None
    problems: tuple[OperationProblem, ...]


@dataclass(frozen=True)
class ChangeView(RequestFacts):
    requester_name: str
    catalogue_id: int
    care_area_name: str
    approver_name: str
    description: str
    operations: tuple[dict[str, Any], ...]
    sentences: tuple[Sentence, ...]
    preview: Preview | None
    applied_version: int | None
    unit_names: Mapping[str, str]
    history: tuple[HistoryEntry, ...]
    may_decide: bool
    may_start: bool
    may_send_back: bool
    may_apply: bool
    proposal: ProposalContext | None  # set when the viewer may revise the proposal

    def units_text(self, hsa_ids: Sequence[str]) -> str:
        return units_text(self.unit_names, hsa_ids)


def units_text(names: Mapping[str, str], hsa_ids: object) -> str:
    """ "KARD-AVD (SE2321000198-E1KA), SE2321000198-E9XX": each unit by its name and HSA-id, when known."""
    listed = [str(unit) for unit in hsa_ids] if isinstance(hsa_ids, list | tuple) else []
    return ", ".join(f"{names[unit]} ({unit})" if names.get(unit) else unit for unit in listed)


def sentence_of(operation: Mapping[str, Any], names: Mapping[str, str]) -> Sentence:
    """One operation in words."""
    op, units = operation.get("op"), units_text(names, operation.get("units"))
    role = str(operation.get("role") or "")
    if op == "add_role":
        added = role_key(str(operation.get("specialty") or ""), str(operation.get("profession") or ""),
                         str(operation.get("capability") or ""))
        if units:
            return Sentence(_("Add the role {role}, linked to {units}."), {"role": added, "units": units})
        return Sentence(_("Add the role {role}, linked to no unit."), {"role": added})
    if op == "remove_role":
        return Sentence(_("Remove the role {role}."), {"role": role})
    if op == "relink_role":
        if units:
            return Sentence(_("Link the role {role} to exactly these units: {units}."),
                            {"role": role, "units": units})
        return Sentence(_("Link the role {role} to no unit."), {"role": role})
    if op == "add_unit":
        return Sentence(_("Add the unit {name} ({hsa_id})."),
                        {"name": str(operation.get("name") or ""), "hsa_id": str(operation.get("hsa_id") or "")})
    return Sentence(_("Unknown operation {op}. The operations are: {operations}."),
                    {"op": str(op), "operations": ", ".join(OPERATIONS)})


async def preview_of(session: AsyncSession, change: CatalogueChange, care_area_id: int, version: int) -> Preview:
    roles = await current_roles(session, change.catalogue_id)
    try:
        after = apply_operations(roles, change.operations, known_units=await region_unit_ids(session, care_area_id))
    except CatalogueChangeInvalid as refused:
        return Preview(version, None, refused.problems)
    return Preview(version, diff(roles, after), ())


async def _unit_names(session: AsyncSession, care_area_id: int,
                      operations: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """The region's units by HSA-id, and those the change adds."""
    names = {unit.hsa_id: unit.name for unit in await region_units(session, care_area_id)}
    added = {str(item.get("hsa_id")): str(item.get("name") or "") for item in operations
             if item.get("op") == "add_unit"}
    return {**added, **names}


async def change_view(session: AsyncSession, actor: Actor, request_id: int, now: datetime) -> ChangeView:
    request = await service.load_request(session, request_id)
    change = await session.get(CatalogueChange, request_id)
    if request.kind != kinds.CATALOGUE_CHANGE.code or change is None:
        raise NotFound(_("There is no such catalogue change."))
    found = await load_catalogue(session, change.catalogue_id)
    reach = await require_sight(session, actor, request, found)
    area, approver = (await session.get(Organisation, found.care_area_id),
                      await session.get(Organisation, found.approver_care_area_id))
    requester = await session.get(User, request.requester_id)
    operations = tuple(change.operations)
    preview = await preview_of(session, change, found.care_area_id, found.current_version) \
        if request.state in workflow.OPEN_STATES else None
    names = await _unit_names(session, found.care_area_id, operations)
    reviewing = reach.may_review(found) and request.state == workflow.IN_PROGRESS
    revising = request.state == workflow.WAITING_FOR_REQUESTER and request.requester_id == actor.user_id
    return ChangeView(
        **await request_facts(session, request, now), requester_name=requester.display_name if requester else "",
        catalogue_id=found.id, care_area_name=area.name if area else "",
        approver_name=approver.name if approver else "", description=change.description, operations=operations,
        sentences=tuple(sentence_of(item, names) for item in operations), preview=preview,
        applied_version=change.applied_version, unit_names=names,
        history=await request_history(session, request.id, labels=HISTORY_LABELS),
        may_decide=reach.may_decide(request, found),
        may_start=reach.may_review(found) and request.state == workflow.ACCEPTED,
        may_send_back=reviewing, may_apply=reviewing and preview is not None and not preview.problems,
        proposal=await proposal_context(session, actor, found.id, proposing=False) if revising else None)
