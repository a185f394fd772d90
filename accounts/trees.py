"""Organisation trees: whose administrators manage whom, and whose auditors read what (issue 23 item 5).

A tree is everything under one root organisation (an organisation without a parent): the Chilean health service
with its digital-health unit, communes and establishments; a Swedish region with its care areas and units; a
municipality with its care providers. The bed board's authorities (MS, SAMB, SMURD) have no parents but
coordinate the same hospitals, so every authority and hospital (and anything under them) is one tree, the bed
board's.

Organisation trees are a few levels deep and a few hundred rows, so a tree is read breadth first, one query a
level, when a page or a service needs it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation

# The kinds at the root of a provisioning tree, whose own administrators and auditors it may have (seeds 000,
# 001, 002, 004); a care provider is also the root of its own tree under its municipality.
TREE_ROOT_KINDS = frozenset({"health_service", "region", "commune", "care_provider"})
BED_BOARD_KINDS = frozenset({"authority", "hospital"})


@dataclass(frozen=True)
class Tree:
    """The organisations an administrator manages or an auditor reads: ids and the codes the audit log names."""

    root_id: int
    ids: frozenset[int]
    codes: frozenset[str]
    # The bed board's tree also reads what no tree claims (the command line's and anonymous events).
    is_bed_board: bool


async def descendants(session: AsyncSession, root_ids: list[int]) -> list[int]:
    """The organisations and every one below them, breadth first."""
    found, frontier = list(root_ids), list(root_ids)
    while frontier:
        children = [child for child in (await session.scalars(
            select(Organisation.id).where(Organisation.parent_id.in_(frontier)))).all() if child not in found]
        found.extend(children)
        frontier = children
    return found


async def tree_of(session: AsyncSession, organisation_id: int) -> Tree:
    """The tree an organisation's administrators and auditors work in: from the nearest organisation of a root
    kind at or above it, down (a care provider's administrator manages the care provider and its
    subcontractors, not the municipality that contracts it; a commune's, its establishments)."""
    organisation = await session.get_one(Organisation, organisation_id)
    if organisation.kind in BED_BOARD_KINDS:
        # Every authority and hospital, whatever its parent (a hospital of the nomenclature may have none).
        roots = list((await session.scalars(select(Organisation.id).where(
            Organisation.kind.in_(sorted(BED_BOARD_KINDS))))).all())
        ids = await descendants(session, roots)
        return await _tree(session, organisation.id, ids, is_bed_board=True)
    root = organisation
    while root.parent_id is not None and root.kind not in TREE_ROOT_KINDS:
        root = await session.get_one(Organisation, root.parent_id)
    return await _tree(session, root.id, await descendants(session, [root.id]), is_bed_board=False)


async def _tree(session: AsyncSession, root_id: int, ids: list[int], *, is_bed_board: bool) -> Tree:
    codes = (await session.scalars(select(Organisation.code).where(Organisation.id.in_(ids)))).all()
    return Tree(root_id, frozenset(ids), frozenset(codes), is_bed_board)
