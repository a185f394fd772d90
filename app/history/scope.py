"""Which audit events one reader of the history may read: those of their own organisation tree (issue 23 item 5).

An event belongs to a tree when the person who acted belongs to one of its organisations (the log names the
actor's organisation), or when the object it is about does (each domain says, through its plugin's
``audit_objects``, which of its objects belong to which organisations: a licence to its commune, a request to its
organisation, a section to its hospital). So the ministry's auditor no longer reads a Chilean licence's RUN and
name, even where the demo or the command line wrote it (no actor organisation), and the Chilean health service's
auditor reads exactly those.

Events that no tree claims (the command line's and anonymous events about the installation: failed logins,
imports) stay with the bed board's tree, whose authorities run the installation, as they always did.

The rule is one SQL condition added to the history's query, so that pages keep their keyset order and the CSV
export streams as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import ColumnElement, and_, false, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from accounts.permissions import BED_BOARD_KINDS
from accounts.trees import tree_of
from app.kit.actors import Actor
from app.kit.audit import AuditEvent
from app.kit.plugins import AuditObjects


def reads_bed_board(actor: Actor) -> bool:
    """Whether the reader is one of the bed board's (an authority's or a hospital's): only they are offered bed
    changes and the hospital and section filters; a tree auditor's log is every event of their tree."""
    return actor.organisation_kind in BED_BOARD_KINDS


def _objects_of(audit_objects: Mapping[str, AuditObjects], organisation_ids: Sequence[int]) -> ColumnElement[bool]:
    """Events about an object that belongs to one of the organisations."""
    clauses = [and_(AuditEvent.object_type == object_type, AuditEvent.object_id.in_(objects(organisation_ids)))
               for object_type, objects in sorted(audit_objects.items())]
    return or_(false(), *clauses)


async def readable_events(session: AsyncSession, actor: Actor,
                          audit_objects: Mapping[str, AuditObjects]) -> ColumnElement[bool]:
    """The condition on ``audit_events`` for what this reader may read; nothing for a reader without an
    organisation (a page reader always has one)."""
    if actor.organisation_id is None:
        return false()
    tree = await tree_of(session, actor.organisation_id)
    ids = sorted(tree.ids)
    own = or_(AuditEvent.organisation.in_(sorted(tree.codes)), _objects_of(audit_objects, ids))
    if not tree.is_bed_board:
        return own
    others = list((await session.scalars(select(Organisation.id).where(Organisation.id.not_in(ids)))).all())
    # Spelled out for SQL's NULLs: an event without an object is claimed by no tree.
    unclaimed = and_(AuditEvent.organisation.is_(None),
                     or_(AuditEvent.object_type.is_(None), AuditEvent.object_id.is_(None),
                         not_(_objects_of(audit_objects, others))))
    return or_(own, unclaimed)
