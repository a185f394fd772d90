"""Setting the IT-order module up from the command line (seeds 002, 004): a region or a municipality gets a
catalogue, either one shipped with bedboard or a file of its own stored as the catalogue's next version.

The version is written (and audited) by ``storing.add_version``, the same path as an upload on the catalogue page,
so a file that the page would refuse is refused here with the same file, line and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation
from app.kit.actors import Actor
from app.kit.db import UnitOfWork
from app.kit.errors import Conflict, ValidationFailed
from app.kit.i18n import _
from app.provisioning.core.setup import organisation_by_code
from app.provisioning.orders import storing
from app.provisioning.orders.catalogue import loader
from app.provisioning.orders.models import OrderCatalogue

# The organisations whose IT-order administrators keep catalogues (accounts.permissions: orders_admin).
KEEPING_KINDS = ("region", "commune")


@dataclass(frozen=True)
class InstalledCatalogue:
    key: str
    name: str
    version: int
    added: bool  # False when the shipped catalogue was there already and nothing changed


async def keeping_organisation(session: AsyncSession, code: str) -> Organisation:
    """The region or municipality ``code``; any other kind keeps no catalogue."""
    organisation = await organisation_by_code(session, code)
    if organisation.kind not in KEEPING_KINDS:
        raise ValidationFailed(_("{code} is not a region or a municipality (its kind is {kind})."),
                               details={"field": "organisation"}, code=code, kind=organisation.kind)
    return organisation


async def install_shipped(uow: UnitOfWork, *, actor: Actor, organisation_code: str, key: str) -> InstalledCatalogue:
    """The shipped catalogue ``key`` as version 1; installing it again for the same organisation changes nothing."""
    if key not in loader.SHIPPED:
        raise ValidationFailed(_("There is no shipped catalogue {key}; the shipped catalogues are: {keys}."),
                               details={"field": "shipped"}, key=key, keys=", ".join(loader.SHIPPED))
    organisation = await keeping_organisation(uow.session, organisation_code)
    existing = await uow.session.get(OrderCatalogue, key)
    if existing is not None and existing.organisation_id != organisation.id:
        keeper = await uow.session.get(Organisation, existing.organisation_id)
        raise Conflict(_("The catalogue {key} is already kept by {keeper}."), key=key,
                       keeper=keeper.code if keeper else existing.organisation_id)
    row = await storing.install_shipped(uow, actor=actor, key=key, organisation_id=organisation.id)
    return InstalledCatalogue(key, loader.shipped(key).name, row.current_version, added=existing is None)


async def add_file(uow: UnitOfWork, *, actor: Actor, organisation_code: str, data: bytes,
                   file_name: str) -> InstalledCatalogue:
    """The file as the next version of the catalogue it names (its first version creates the catalogue).

    Raises ``CatalogueInvalid`` listing every mistake when the file does not describe a usable catalogue.
    """
    organisation = await keeping_organisation(uow.session, organisation_code)
    name = PurePath(file_name.replace("\\", "/")).name
    text, catalogue = storing.read_upload(data, name)
    version = await storing.add_version(uow, actor=actor, text=text, file_name=name, organisation_id=organisation.id)
    return InstalledCatalogue(catalogue.key, catalogue.name, version.version, added=True)
