"""The licence module's token scope: a health record's token, reporting licence use for one health service.

The officer makes them, not the bed board's administrators: the token reports on the officer's own health
service, which the officer knows and the authority does not. Accounts keeps, lists and revokes every token
(accounts/tokens.py); this says who manages these, for which service, and where they work.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from accounts import permissions
from accounts.models import Organisation
from accounts.tokens import TokenReach, TokenScope
from app.kit.actors import Actor
from app.kit.errors import PermissionDenied
from app.kit.i18n import _
from app.provisioning.licenses import scope
from app.provisioning.licenses.kinds import OFFICER

LICENSES_USAGE = "licenses.usage"
# The paths of the licence module's API: a usage token works there and nowhere else.
LICENSES_API_PREFIX = "/api/v1/licenses/"


async def officer_service(session: AsyncSession, actor: Actor) -> int:
    """The health service of a licence officer; anyone else is refused."""
    reach = await scope.reach_of(session, actor)
    scope.require_role(reach, OFFICER)
    if reach.service_id is None:
        raise PermissionDenied(scope.OUTSIDE)
    return reach.service_id


async def _reach(session: AsyncSession, actor: Actor) -> TokenReach:
    """The officer sees and makes the tokens of their own health service only."""
    service_id = await officer_service(session, actor)
    service = await session.get_one(Organisation, service_id)
    return TokenReach(choices=[(service_id, service.name)])


SCOPE = TokenScope(
    code=LICENSES_USAGE, label=_("API tokens of the health record"), help_template="usage_tokens_help.html",
    manage=permissions.LICENSES_DECIDE, page="/licenses/usage", tokens_path="/licenses/usage/tokens",
    reach=_reach, organisation_label=_("Health service"), organisation_field="organisation_id",
    choose=_("Choose one of the listed organisations."),
    not_owner=_("Only the officers of the health service that owns this token may revoke it."),
    audit_prefix="licenses.usage_token", actor_kind="health_service",
    # No role: the usage feed checks the token's scope, and no page or bed route lets it in.
    actor_roles=frozenset(), api_prefix=LICENSES_API_PREFIX, owned_by_organisation=True)
