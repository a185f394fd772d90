"""Where catalogues live: each organisation's catalogues and every stored version of them.

An order's checklist is generated again on every read and must not parse YAML each time, so parsed catalogues are
kept in memory by the hash of their text and file name: content-addressed, the cache cannot serve a version that was
rolled back, nor another database's version with the same number.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork, session_now
from app.kit.errors import NotFound, ValidationFailed
from app.kit.i18n import _
from app.provisioning.orders.catalogue import loader
from app.provisioning.orders.catalogue.definitions import Catalogue
from app.provisioning.orders.catalogue.problems import CatalogueInvalid, CatalogueProblem
from app.provisioning.orders.models import OrderCatalogue, OrderCatalogueVersion

MAX_FILE_BYTES = 512 * 1024
MAX_FILE_NAME = 200
_parsed: dict[tuple[str, bytes], Catalogue] = {}


def parsed(text: str, file_name: str) -> Catalogue:
    """The catalogue of a stored text, parsed once per process."""
    key = (file_name, hashlib.sha256(text.encode("utf-8")).digest())
    found = _parsed.get(key)
    if found is None:
        found = _parsed[key] = loader.load_text(text, file_name)
    return found


async def catalogue_row(session: AsyncSession, key: str) -> OrderCatalogue:
    found = await session.get(OrderCatalogue, key)
    if found is None:
        raise NotFound(_("There is no such catalogue."))
    return found


async def version_of(session: AsyncSession, key: str, version: int) -> Catalogue:
    """The catalogue as that version says."""
    row = (await session.execute(select(OrderCatalogueVersion.source_text, OrderCatalogueVersion.file_name).where(
        OrderCatalogueVersion.catalogue_key == key, OrderCatalogueVersion.version == version))).one_or_none()
    if row is None:
        raise NotFound(_("There is no such catalogue version."))
    return parsed(row.source_text, row.file_name)


async def current(session: AsyncSession, key: str) -> tuple[OrderCatalogue, Catalogue]:
    row = await catalogue_row(session, key)
    return row, await version_of(session, key, row.current_version)


async def kept_by(session: AsyncSession, organisation_ids: Sequence[int]) -> list[OrderCatalogue]:
    """The catalogues kept by any of these organisations (an IT contact's own organisation and its ancestors)."""
    statement = select(OrderCatalogue).where(OrderCatalogue.organisation_id.in_(list(organisation_ids))) \
        .order_by(OrderCatalogue.key)
    return list((await session.execute(statement)).scalars())


async def versions(session: AsyncSession, key: str) -> list[OrderCatalogueVersion]:
    statement = select(OrderCatalogueVersion).where(OrderCatalogueVersion.catalogue_key == key) \
        .order_by(OrderCatalogueVersion.version.desc())
    return list((await session.execute(statement)).scalars())


def read_upload(data: bytes, file_name: str) -> tuple[str, Catalogue]:
    """The file's text and catalogue, or ``CatalogueInvalid`` naming every mistake with file, line and field."""
    name = (file_name or "").strip().replace("\\", "/").rsplit("/", 1)[-1]
    if not name:
        raise ValidationFailed(_("Choose the catalogue file to upload."), details={"field": "file"})
    if len(name) > MAX_FILE_NAME:
        raise ValidationFailed(_("The file name is too long (at most {limit} characters)."),
                               details={"field": "file"}, limit=MAX_FILE_NAME)
    if len(data) > MAX_FILE_BYTES:
        raise ValidationFailed(_("The file is too large (at most {limit} KiB)."), details={"field": "file"},
                               limit=MAX_FILE_BYTES // 1024)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CatalogueInvalid([CatalogueProblem(name, 1, "-", _("The file is not UTF-8 text."))]) from None
    return text, loader.load_text(text, name)


async def add_version(uow: UnitOfWork, *, actor: Actor, text: str, file_name: str,
                      organisation_id: int) -> OrderCatalogueVersion:
    """Stores a checked catalogue as the next version of its key (the first one creates the catalogue).

    The caller has checked that ``actor`` keeps catalogues for ``organisation_id``; a key already kept by
    another organisation is refused, so one organisation cannot replace another's routine.
    """
    catalogue = parsed(text, file_name)
    session = uow.session
    row = await session.get(OrderCatalogue, catalogue.key, with_for_update=True)
    if row is not None and row.organisation_id != organisation_id:
        raise ValidationFailed(_("Another organisation keeps the catalogue {key}: choose another key."),
                               details={"field": "file"}, key=catalogue.key)
    previous = row.current_version if row is not None else 0
    if row is None:
        row = OrderCatalogue(key=catalogue.key, organisation_id=organisation_id, current_version=0)
        session.add(row)
        await session.flush()
    version = OrderCatalogueVersion(catalogue_key=catalogue.key, version=previous + 1, file_name=file_name,
                                    source_text=text, uploaded_by_id=actor.user_id,
                                    uploaded_at=session_now(session))
    session.add(version)
    row.current_version = version.version
    await session.flush()
    await audit.record(session, actor=actor, action="orders.catalogue_version_added", object_type="order_catalogue",
                       object_id=catalogue.key, before={"version": previous},
                       after={"version": version.version, "file_name": file_name, "name": catalogue.name,
                              "organisation_id": organisation_id})
    return version


async def install_shipped(uow: UnitOfWork, *, actor: Actor, key: str, organisation_id: int) -> OrderCatalogue:
    """The shipped catalogue ``key`` as version 1 for the organisation (setup and demo); nothing when it exists."""
    existing = await uow.session.get(OrderCatalogue, key)
    if existing is not None:
        return existing
    file_name = f"{key}.yaml"
    await add_version(uow, actor=actor, text=loader.shipped_text(key), file_name=file_name,
                      organisation_id=organisation_id)
    return await catalogue_row(uow.session, key)
