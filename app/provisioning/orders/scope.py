"""Who may see and act on which IT orders and catalogues (seeds 002, 004), checked in the service path.

An IT contact places and works the orders of their own organisation (a clinic, a care provider). A subcontractor's
orders are placed by its main contractor (seed 004: "Huvudutföraren beställer för underutförarens räkning"), so
they belong to the main contractor; the subcontractor's own IT contact may read them. An IT-order administrator
keeps the catalogues of their own region or municipality; IT contacts order from the catalogues kept by their
organisation or any organisation above it.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from accounts import permissions
from app.kit.actors import Actor
from app.kit.errors import PermissionDenied
from app.kit.i18n import _
from app.provisioning.core.deadlines import lineage
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.orders.models import ItOrder, OrderCatalogue

OUTSIDE = _("This belongs to another organisation: you cannot see it or act on it.")
# The party of a handover's tasks that the receiving organisation works (the catalogue's ``parties``).
RECEIVING_PARTY = "receiving"


def placing_organisation(actor: Actor) -> int:
    """The organisation an IT contact places orders for; anyone else is refused."""
    if not permissions.may(actor, permissions.ORDERS_PLACE) or actor.organisation_id is None:
        raise PermissionDenied(_("Only an IT contact places IT orders."))
    return actor.organisation_id


def keeping_organisation(actor: Actor) -> int:
    """The organisation whose catalogues an IT-order administrator keeps."""
    if not permissions.may(actor, permissions.ORDERS_CATALOGUES) or actor.organisation_id is None:
        raise PermissionDenied(_("Only an IT-order administrator keeps the order catalogues."))
    return actor.organisation_id


async def catalogue_organisations(session: AsyncSession, actor: Actor) -> list[int]:
    """The organisations whose catalogues the actor uses: their own and those above it."""
    if actor.organisation_id is None:
        return []
    return [organisation.id for organisation in await lineage(session, actor.organisation_id)]


async def require_catalogue_use(session: AsyncSession, actor: Actor, catalogue: OrderCatalogue) -> None:
    if catalogue.organisation_id not in await catalogue_organisations(session, actor):
        raise PermissionDenied(OUTSIDE)


def may_read(actor: Actor, request: ProvisioningRequest, order: ItOrder) -> bool:
    if not permissions.may(actor, permissions.ORDERS_PLACE) or actor.organisation_id is None:
        return False
    return actor.organisation_id in (request.organisation_id, order.subject_organisation_id,
                                     order.receiving_organisation_id)


def may_work(actor: Actor, request: ProvisioningRequest) -> bool:
    return permissions.may(actor, permissions.ORDERS_PLACE) and actor.organisation_id == request.organisation_id


def may_work_task(actor: Actor, request: ProvisioningRequest, order: ItOrder, party: str | None) -> bool:
    """The ordering organisation's IT contacts work every task; in a handover (seed 004: "båda parterna ansvarar"),
    the receiving organisation's IT contacts work the receiving party's tasks."""
    if may_work(actor, request):
        return True
    return (party == RECEIVING_PARTY and order.receiving_organisation_id is not None
            and permissions.may(actor, permissions.ORDERS_PLACE)
            and actor.organisation_id == order.receiving_organisation_id)


def require_work_task(actor: Actor, request: ProvisioningRequest, order: ItOrder, party: str | None) -> None:
    if not may_work_task(actor, request, order, party):
        raise PermissionDenied(_("Only the IT contacts of the organisation that placed this order work on it."))


def require_read(actor: Actor, request: ProvisioningRequest, order: ItOrder) -> None:
    if not may_read(actor, request, order):
        raise PermissionDenied(OUTSIDE)


def require_work(actor: Actor, request: ProvisioningRequest) -> None:
    if not may_work(actor, request):
        raise PermissionDenied(_("Only the IT contacts of the organisation that placed this order work on it."))
