"""The IT-order administrator's catalogue pages: the list, one catalogue, its versions, and an upload checked and
previewed before it is stored (seeds 002, 004), on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import re
from datetime import date

import httpx
import pytest
from markupsafe import escape
from sqlalchemy import func, select

from accounts.models import User
from app.kit.audit import AuditEvent
from app.kit.state import AppServices
from app.provisioning.orders import order_queries
from app.provisioning.orders.catalogue import loader
from app.provisioning.orders.catalogue.problems import CatalogueInvalid
from app.provisioning.orders.models import OrderCatalogue, OrderCatalogueVersion
from app.provisioning.orders.people import NewPerson
from app.provisioning.orders.placing import OrderDraft, place_order
from tests.provisioning.orders.orders_world import OrdersWorld, actor, make_orders_world
from tests.web import csrf_from, log_in, post_form

SKANE = "skane_audiology"
PAGE = f"/orders/catalogues/{SKANE}"
E_CARD_BY_CONTACT = "  - key: e_card\n    name: E-tjänstekort (RS-kort)\n    ordered_by: it_contact\n"
E_CARD_BY_DIRECTORY = E_CARD_BY_CONTACT.replace("it_contact", "directory_admin")
HIDDEN = re.compile(r'<input type="hidden" name="(content|file_name|base_version)" value="([^"]*)">')


@pytest.fixture
async def world(services: AppServices) -> OrdersWorld:
    return await make_orders_world(services)


def edited(old: str, new: str, key: str = SKANE) -> str:
    text = loader.shipped_text(key)
    assert old in text, "the shipped catalogue no longer has the text this test edits"
    return text.replace(old, new, 1)


async def upload(client: httpx.AsyncClient, text: str, file_name: str = f"{SKANE}.yaml") -> httpx.Response:
    token = await csrf_from(client, "/orders/catalogues")
    return await client.post("/orders/catalogues/upload", data={"csrf_token": token},
                             files={"file": (file_name, text.encode(), "application/yaml")})


def carried(preview: httpx.Response) -> dict[str, str]:
    """The confirmation form's hidden fields, as the browser would send them back."""
    return {name: value.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")
            for name, value in HIDDEN.findall(preview.text)}


async def stored(services: AppServices, key: str = SKANE) -> tuple[int | None, int]:
    """The current version and how many versions are stored."""
    async with services.session_factory() as session:
        row = await session.get(OrderCatalogue, key)
        count = await session.scalar(select(func.count()).select_from(OrderCatalogueVersion)
                                     .where(OrderCatalogueVersion.catalogue_key == key))
        return (row.current_version if row else None), int(count or 0)


async def switch_to(client: httpx.AsyncClient, username: str) -> None:
    await post_form(client, "/logout", {})
    await log_in(client, username)


async def test_the_admin_stores_a_changed_version_and_an_order_placed_before_keeps_its_own(
        client: httpx.AsyncClient, services: AppServices, world: OrdersWorld) -> None:
    placer = await actor(services, "it.lund")
    async with services.unit_of_work() as uow:
        placed = await place_order(uow, actor=placer, draft=OrderDraft(
            SKANE, "new_user", {"clinics": ["Hörselmottagningen Lund"], "profession": "audiologist",
                                "needs_webpriva_read": False}, date(2026, 5, 4), new_person=NewPerson("Karin Ek")))
    await log_in(client, "orders.skane")
    listing = await client.get("/orders/catalogues")
    assert listing.status_code == 200
    assert str(escape(loader.shipped(SKANE).name)) in listing.text
    assert "uppsala_care_providers" not in listing.text

    preview = await upload(client, edited(E_CARD_BY_CONTACT, E_CARD_BY_DIRECTORY))
    assert preview.status_code == 200
    changes = preview.text.split('data-testid="catalogue-changes"')[1].split("</table>")[0]
    assert "E-tjänstekort (RS-kort)" in changes
    assert "ordered_by" in changes
    assert "Store as version 2" in preview.text
    assert "Orders already placed keep the version they were placed from (1 so far)" in preview.text
    assert await stored(services) == (1, 1)  # a preview stores nothing

    confirmed = await client.post("/orders/catalogues/upload/confirm",
                                  data={**carried(preview), "csrf_token": await csrf_from(client, PAGE)})
    assert confirmed.status_code == 303
    page = await client.get(confirmed.headers["location"])
    assert "Version 2 is stored" in page.text
    assert '<dd data-testid="current-version">2</dd>' in page.text
    e_card_row = page.text.split('id="system-e_card"')[1].split("</tr>")[0]
    assert "Mottagningens externa katalogadministratör" in e_card_row
    assert "Orders.Skane" in page.text.split('id="version-2"')[1].split("</tr>")[0]
    assert await stored(services) == (2, 2)
    compare = await client.get(f"{PAGE}/versions/2")
    assert "E-tjänstekort (RS-kort)" in compare.text
    assert "ordered_by" in compare.text
    assert "first version" in (await client.get(f"{PAGE}/versions/1")).text

    async with services.session_factory() as session:
        order = await order_queries.order_view(session, placer, placed.request_id, services.clock.now())
        added = (await session.scalars(select(AuditEvent).where(
            AuditEvent.action == "orders.catalogue_version_added", AuditEvent.object_id == SKANE)
            .order_by(AuditEvent.seq.desc()))).first()
    assert order.order.catalogue_version == 1
    assert order.catalogue.systems["e_card"].ordered_by == "it_contact"
    assert added is not None
    assert added.after is not None
    assert added.after["version"] == 2


async def test_the_same_file_again_shows_no_changes(client: httpx.AsyncClient, world: OrdersWorld) -> None:
    await log_in(client, "orders.skane")
    preview = await upload(client, loader.shipped_text(SKANE))
    assert 'data-testid="no-changes"' in preview.text
    assert "Store as version 2" in preview.text


def _line_of(text: str, fragment: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


@pytest.mark.parametrize(("old", "new", "marker"), [
    pytest.param("    who: it_contact\n    when: {profession: [audiologist, prescriber]}\n",
                 "    who: it_contact\n    requires: [prescriber_training]\n"
                 "    when: {profession: [audiologist, prescriber]}\n", "- key: prescriber_training",
                 id="cycle"),
    pytest.param("      - system: auditbase\n        action: order\n        quote: \"Fyll i och skicka formulär",
                 "      - system: audiobase\n        action: order\n        quote: \"Fyll i och skicka formulär",
                 "system: audiobase", id="unknown-system"),
    pytest.param("    name: WebSesam\n", "", "- key: websesam", id="missing-field"),
])
async def test_an_upload_with_a_mistake_names_its_file_line_and_field_and_stores_nothing(
        client: httpx.AsyncClient, services: AppServices, world: OrdersWorld, old: str, new: str,
        marker: str) -> None:
    text = edited(old, new)
    with pytest.raises(CatalogueInvalid) as invalid:
        loader.load_text(text, f"{SKANE}.yaml")
    await log_in(client, "orders.skane")
    preview = await upload(client, text)
    assert preview.status_code == 422
    problems = preview.text.split('data-testid="catalogue-problems"')[1].split("</ul>")[0]
    for problem in invalid.value.problems:
        assert str(escape(problem.text())) in problems
    assert f"{SKANE}.yaml line {_line_of(text, marker)}, " in problems
    assert "Store as version" not in preview.text
    assert await stored(services) == (1, 1)


async def test_a_tampered_confirmation_is_checked_again(client: httpx.AsyncClient, services: AppServices,
                                                        world: OrdersWorld) -> None:
    await log_in(client, "orders.skane")
    preview = await upload(client, edited(E_CARD_BY_CONTACT, E_CARD_BY_DIRECTORY))
    broken = edited(E_CARD_BY_CONTACT, E_CARD_BY_CONTACT.replace("it_contact", "boss"))
    tampered = {**carried(preview), "content": base64.urlsafe_b64encode(broken.encode()).decode()}
    refused = await client.post("/orders/catalogues/upload/confirm",
                                data={**tampered, "csrf_token": await csrf_from(client, PAGE)})
    assert refused.status_code == 422
    assert f"{SKANE}.yaml line {_line_of(broken, 'ordered_by: boss')}, " in refused.text
    assert "Unknown role boss" in refused.text
    garbled = await client.post("/orders/catalogues/upload/confirm", data={
        **carried(preview), "content": "%%%", "csrf_token": await csrf_from(client, PAGE)})
    assert garbled.status_code == 422
    assert "Upload it again" in garbled.text
    assert await stored(services) == (1, 1)


async def test_a_version_stored_since_the_preview_is_not_overwritten_unseen(
        client: httpx.AsyncClient, services: AppServices, world: OrdersWorld) -> None:
    await log_in(client, "orders.skane")
    first = await upload(client, edited(E_CARD_BY_CONTACT, E_CARD_BY_DIRECTORY))
    second = await upload(client, edited("    name: WebSesam\n", "    name: WebSesam (Sesam LMN)\n"))
    token = await csrf_from(client, PAGE)
    assert (await client.post("/orders/catalogues/upload/confirm",
                              data={**carried(first), "csrf_token": token})).status_code == 303
    late = await client.post("/orders/catalogues/upload/confirm", data={**carried(second), "csrf_token": token})
    assert late.status_code == 409
    assert "Another version of the catalogue was stored since your preview" in late.text
    assert "Store as version 3" in late.text  # the preview against version 2, to confirm again
    assert await stored(services) == (2, 2)


async def test_a_new_key_makes_a_new_catalogue(client: httpx.AsyncClient, services: AppServices,
                                               world: OrdersWorld) -> None:
    text = edited(f"key: {SKANE}\n", "key: skane_audiology_children\n")
    await log_in(client, "orders.skane")
    preview = await upload(client, text, "children.yaml")
    assert 'data-testid="new-catalogue"' in preview.text
    assert "Store as version 1" in preview.text
    confirmed = await client.post("/orders/catalogues/upload/confirm",
                                  data={**carried(preview), "csrf_token": await csrf_from(client, PAGE)})
    assert confirmed.headers["location"] == "/orders/catalogues/skane_audiology_children?stored=1"
    assert "/orders/catalogues/skane_audiology_children" in (await client.get("/orders/catalogues")).text
    assert await stored(services, "skane_audiology_children") == (1, 1)


async def test_another_organisations_admin_can_neither_see_nor_replace_the_catalogue(
        client: httpx.AsyncClient, services: AppServices, world: OrdersWorld) -> None:
    await log_in(client, "orders.uppsala")
    listing = await client.get("/orders/catalogues")
    assert "uppsala_care_providers" in listing.text
    assert SKANE not in listing.text
    for path in (PAGE, f"{PAGE}/versions/1", f"{PAGE}/versions/1.yaml"):
        assert (await client.get(path)).status_code == 403, path
    text = edited(E_CARD_BY_CONTACT, E_CARD_BY_DIRECTORY)
    preview = await upload(client, text)
    assert "Another organisation keeps the catalogue skane_audiology" in preview.text
    assert "Store as version" not in preview.text
    forged = {"content": base64.urlsafe_b64encode(text.encode()).decode(), "file_name": f"{SKANE}.yaml",
              "base_version": "1"}
    refused = await client.post("/orders/catalogues/upload/confirm",
                                data={**forged, "csrf_token": await csrf_from(client, "/orders/catalogues")})
    assert refused.status_code == 422
    assert "Another organisation keeps the catalogue skane_audiology" in refused.text
    assert await stored(services) == (1, 1)


async def test_an_it_contact_gets_no_catalogue_pages(client: httpx.AsyncClient, services: AppServices,
                                                     world: OrdersWorld) -> None:
    await log_in(client, "it.lund")
    for path in ("/orders/catalogues", PAGE, f"{PAGE}/versions/1.yaml"):
        assert (await client.get(path)).status_code == 403, path
    token = await csrf_from(client, "/account")
    refused = await client.post("/orders/catalogues/upload", data={"csrf_token": token},
                                files={"file": ("x.yaml", loader.shipped_text(SKANE).encode(), "application/yaml")})
    assert refused.status_code == 403
    assert await stored(services) == (1, 1)


async def test_the_download_is_the_stored_text(client: httpx.AsyncClient, world: OrdersWorld) -> None:
    await log_in(client, "orders.skane")
    download = await client.get(f"{PAGE}/versions/1.yaml")
    assert download.status_code == 200
    assert download.text == loader.shipped_text(SKANE)
    assert download.headers["content-type"].startswith("text/yaml")
    assert download.headers["content-disposition"].startswith("attachment")
    assert (await client.get(f"{PAGE}/versions/9.yaml")).status_code == 404
    assert (await client.get(f"{PAGE}/versions/0")).status_code == 404


async def test_the_catalogue_reads_in_words(client: httpx.AsyncClient, world: OrdersWorld) -> None:
    await log_in(client, "orders.uppsala")
    page = await client.get("/orders/catalogues/uppsala_care_providers")
    catalogue = loader.shipped("uppsala_care_providers")
    for event in catalogue.events.values():
        assert str(escape(event.name)) in page.text
    assert "2–4 weeks" in page.text
    assert "up to 10 weeks" in page.text
    assert "Förändringens storlek: Liten förändring" in page.text


async def test_the_pages_speak_swedish(client: httpx.AsyncClient, services: AppServices,
                                       world: OrdersWorld) -> None:
    async with services.unit_of_work() as uow:
        admin = await uow.session.scalar(select(User).where(User.username == "orders.skane"))
        assert admin is not None
        admin.language = "sv"
    await log_in(client, "orders.skane")
    listing = await client.get("/orders/catalogues")
    assert "Beställningskataloger" in listing.text
    page = await client.get(PAGE)
    assert "Versioner" in page.text
    assert "Beställs av" in page.text
    broken = await upload(client, edited("      - system: auditbase\n        action: order\n",
                                         "      - system: audiobase\n        action: order\n"))
    assert "Okänt system audiobase" in broken.text
    # Issue 23 item 9: counts in Swedish plurals, no "händelse(r)" or "ändring(ar)".
    assert "1 fel i filen; ingenting sparas förrän det är rättat." in broken.text
    preview = await upload(client, edited(E_CARD_BY_CONTACT, E_CARD_BY_DIRECTORY))
    assert "Spara som version 2" in preview.text
    assert "Jämfört med gällande version 1: 6 ändringar." in preview.text
    renamed = await upload(client, edited("    name: WebSesam\n", "    name: Web-Sesam\n"))
    assert "Jämfört med gällande version 1: 1 ändring." in renamed.text
    new = await upload(client, edited(f"key: {SKANE}\n", "key: skane_audiology_children\n"), "children.yaml")
    assert re.search(r"Den har \d+ händelser och \d+ system\.", new.text)

