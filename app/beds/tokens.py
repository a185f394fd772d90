"""The bed board's token scope: a hospital system's token, for its own hospital's sections.

Accounts keeps every token (accounts/tokens.py); this says what is particular to a bed token: authority
administrators make them for any hospital still in service, their authority owns them (the ministry may take
one over), a retired hospital's token stops working, and they call every API path no other scope claims.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import permissions
from accounts.models import Organisation
from accounts.tokens import TokenReach, TokenScope
from app.beds.models import Hospital
from app.kit.actors import Actor
from app.kit.errors import PermissionDenied
from app.kit.i18n import _

BEDS = "beds"


async def _reach(session: AsyncSession, actor: Actor) -> TokenReach:
    """Every authority's administrators see every hospital token and its owning authority; a new one is for a
    hospital still in service."""
    if not permissions.may(actor, permissions.API_TOKENS_MANAGE) or actor.organisation_kind != "authority":
        raise PermissionDenied(_("Only administrators of an authority may manage API tokens."))
    rows = await session.execute(
        select(Organisation.id, Organisation.name).join(Hospital, Hospital.organisation_id == Organisation.id)
        .where(Hospital.retired_at.is_(None)).order_by(func.lower(Organisation.name)))
    return TokenReach(choices=[(hospital_id, name) for hospital_id, name in rows], sees_all=True)


async def _refusal(session: AsyncSession, hospital_id: int) -> str | None:
    retired = await session.scalar(select(Hospital.retired_at).where(Hospital.organisation_id == hospital_id))
    return _("The hospital of this API token is retired; the token no longer works.") if retired else None


SCOPE = TokenScope(
    code=BEDS, label=_("Hospital systems"),
    help_template="bed_tokens_help.html",
    manage=permissions.API_TOKENS_MANAGE, page="/admin/api-tokens", tokens_path="/admin/api-tokens",
    reach=_reach, organisation_label=_("Hospital"), organisation_field="hospital_id",
    choose=_("Choose one of the listed hospitals."),
    not_owner=_("Only the administrators of the authority that owns this token may revoke it."),
    audit_prefix="beds.api_token", actor_kind="hospital",
    # The operator role gives exactly what a hospital system needs: its own hospital's sections.
    actor_roles=frozenset({"operator"}), api_prefix="/api/", by_hospital=True, refusal=_refusal)
