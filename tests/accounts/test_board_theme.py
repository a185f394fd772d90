"""The board's theme is kept on the user's account: set on the board or the account page, audited, applied by the
server before the first paint on every computer the user logs in on."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from accounts.models import User
from app.kit.audit import AuditEvent
from app.kit.state import AppServices
from tests.factories import make_organisation, make_user
from tests.web import BrowserFactory, csrf_from, log_in, post_form

DARK_CSS = re.compile(r'<link rel="stylesheet" id="board-dark-css" href="/static/css/board_dark.css" media="([^"]*)">')
BODY_CLASS = re.compile(r'<body class="([^"]*)">')


async def theme_of(services: AppServices, username: str) -> str | None:
    async with services.session_factory() as session:
        return await session.scalar(select(User.board_theme).where(User.username == username))


async def board_look(client: httpx.AsyncClient, path: str = "/board") -> tuple[str, bool]:
    """The dark stylesheet's media as the server wrote it, and whether the body is dark from the first paint."""
    page = await client.get(path)
    assert page.status_code == 200
    media, body = DARK_CSS.search(page.text), BODY_CLASS.search(page.text)
    assert media is not None
    assert body is not None
    return media.group(1), "theme-dark" in body.group(1).split()


async def test_the_toggle_keeps_the_theme_on_the_account_for_every_computer(
    client: httpx.AsyncClient, services: AppServices, new_client: BrowserFactory
) -> None:
    await make_user(services, "coord")
    await log_in(client, "coord")
    assert await board_look(client) == ("(prefers-color-scheme: dark)", False)  # no choice: the computer's setting
    assert await board_look(client, "/board?wall=1") == ("all", True)  # a wall screen starts dark

    # The board's toggle is a form: without a script it posts and comes back to the same board.
    response = await post_form(client, "/account/board-theme",
                               {"board_theme": "dark", "next": "/board?view=cards"}, token_page="/board")
    assert response.status_code == 303
    assert response.headers["location"] == "/board?view=cards"
    assert await theme_of(services, "coord") == "dark"
    assert await board_look(client) == ("all", True)

    async with new_client() as wall_pc:  # the same coordinator on another computer
        await log_in(wall_pc, "coord")
        assert await board_look(wall_pc) == ("all", True)
        token = await csrf_from(wall_pc, "/board")
        answer = await wall_pc.post("/account/board-theme", data={"board_theme": "light"},
                                    headers={"Accept": "application/json", "X-CSRF-Token": token})
        assert answer.status_code == 200
        assert answer.json() == {"board_theme": "light"}
        # A reader who chose light keeps it on the wall too: the wall's dark start is for those without a choice.
        assert await board_look(wall_pc, "/board?wall=1") == ("not all", False)
    assert await board_look(client) == ("not all", False)

    async with services.session_factory() as session:
        events = list(await session.scalars(select(AuditEvent).where(
            AuditEvent.action == "accounts.profile_changed").order_by(AuditEvent.seq)))
    assert [(event.actor, event.before, event.after) for event in events] == [
        ("coord", {"board_theme": None}, {"board_theme": "dark"}),
        ("coord", {"board_theme": "dark"}, {"board_theme": "light"}),
    ]


async def test_the_account_page_offers_the_choice_and_can_give_it_back_to_the_computer(
    client: httpx.AsyncClient, services: AppServices
) -> None:
    await make_user(services, "coord")
    await log_in(client, "coord")
    await post_form(client, "/account/board-theme", {"board_theme": "dark"})
    page = await client.get("/account")
    assert '<option value="dark" selected>Dark</option>' in page.text
    response = await post_form(client, "/account/board-theme", {"board_theme": ""})
    assert response.headers["location"] == "/account?saved=1"
    assert await theme_of(services, "coord") is None
    page = await client.get("/account")
    assert '<option value="" selected>This computer&#39;s setting</option>' in page.text
    assert await board_look(client) == ("(prefers-color-scheme: dark)", False)
    assert await board_look(client, "/board?wall=1") == ("all", True)

    await post_form(client, "/account/profile", {"display_name": "Coord", "language": "ro"})
    page = await client.get("/account")
    assert "Tema ecranului de paturi libere" in page.text
    assert "Întunecată" in page.text


async def test_a_forged_or_unknown_theme_changes_nothing(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_user(services, "coord")
    await log_in(client, "coord")
    forged = await client.post("/account/board-theme", data={"board_theme": "dark"})
    assert forged.status_code == 403
    unknown = await post_form(client, "/account/board-theme", {"board_theme": "purple"})
    assert unknown.status_code == 422
    assert "Choose one of the offered themes." in unknown.text
    token = await csrf_from(client, "/board")
    as_json = await client.post("/account/board-theme", data={"board_theme": "DARK"},
                                headers={"Accept": "application/json", "X-CSRF-Token": token})
    assert as_json.status_code == 422
    assert await theme_of(services, "coord") is None
    async with services.session_factory() as session:
        assert await session.scalar(select(AuditEvent).where(AuditEvent.action == "accounts.profile_changed")) is None


async def test_an_operator_without_a_board_is_not_offered_a_board_theme(
    client: httpx.AsyncClient, services: AppServices
) -> None:
    await make_organisation(services, "H-1", kind="hospital")
    await make_user(services, "op", role="operator", organisation="H-1")
    await log_in(client, "op")
    page = await client.get("/account")
    assert page.status_code == 200
    assert "Board theme" not in page.text
