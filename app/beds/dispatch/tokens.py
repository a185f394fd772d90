"""The dispatch's token scope: a dispatch system's token (an ambulance service's computer-aided dispatch), which
announces patients and reads, arrives or cancels its authority's announcements through ``/api/v1/announcements``.

Accounts keeps every token (accounts/tokens.py); this says what is particular to a dispatch token: an authority's
administrators make them for their own authority, which owns them; the token acts as a coordinator of that authority
on the announcements' API only (its prefix), and its bed holds are capped like a coordinator's (app/beds/dispatch/
holds.py counts the holds of the authority's systems together).
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from accounts import permissions
from accounts.models import Organisation
from accounts.tokens import TokenReach, TokenScope
from app.kit.actors import Actor
from app.kit.errors import PermissionDenied
from app.kit.i18n import _

DISPATCH: Final = "dispatch"
API_PREFIX: Final = "/api/v1/announcements"


async def _reach(session: AsyncSession, actor: Actor) -> TokenReach:
    """An authority's administrators make and see their own authority's dispatch tokens."""
    if not permissions.may(actor, permissions.API_TOKENS_MANAGE) or actor.organisation_kind != "authority" \
            or actor.organisation_id is None:
        raise PermissionDenied(_("Only administrators of an authority may manage dispatch-system tokens."))
    authority = await session.get_one(Organisation, actor.organisation_id)
    return TokenReach(choices=[(authority.id, authority.name)])


SCOPE = TokenScope(
    code=DISPATCH, label=_("Dispatch systems"), help_template="dispatch_tokens_help.html",
    manage=permissions.API_TOKENS_MANAGE, page="/admin/dispatch-tokens", tokens_path="/admin/dispatch-tokens",
    reach=_reach, organisation_label=_("Authority"), organisation_field="organisation_id",
    choose=_("Choose one of the listed organisations."),
    not_owner=_("Only the administrators of the authority that owns this token may revoke it."),
    audit_prefix="dispatch.api_token", actor_kind="authority",
    # A coordinator's role gives exactly the announcements' actions; the prefix keeps the token off every other route.
    actor_roles=frozenset({"coordinator"}), api_prefix=API_PREFIX, owned_by_organisation=True)
