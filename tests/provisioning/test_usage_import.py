"""The officer's CSV import of licence use: parsing (pure), then preview and apply through the pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from app.kit.audit import AuditEvent
from app.kit.state import AppServices
from app.provisioning.licenses.usage_import import parse_usage_csv, parse_when
from tests.provisioning.test_usage_api import OTHERS, OURS, add_licence, licence, make_feed
from tests.web import csrf_from, log_in

SANTIAGO = ZoneInfo("America/Santiago")


def test_semicolons_spanish_headers_and_local_times() -> None:
    text = "\ufeffRUT;Último uso\r\n12.345.678-5;01-03-2026 09:30\r\n\r\n10000013-k;2026-03-02T10:00:00Z\r\n"
    parsed = parse_usage_csv(text, SANTIAGO)
    assert parsed.ok
    # 1 March 2026 in Santiago is summer time (UTC-3).
    assert parsed.uses == (("12345678-5", datetime(2026, 3, 1, 12, 30, tzinfo=UTC)),
                           ("10000013-K", datetime(2026, 3, 2, 10, 0, tzinfo=UTC)))


@pytest.mark.parametrize(("text", "expected"), [
    ("01/10/2026 09:30:15", datetime(2026, 10, 1, 12, 30, 15, tzinfo=UTC)),
    ("1-7-2026", datetime(2026, 7, 1, 4, 0, tzinfo=UTC)),  # a date alone: the day's start (winter, UTC-4)
    ("2026-07-01 08:00", datetime(2026, 7, 1, 12, 0, tzinfo=UTC)),  # ISO without offset: local
    ("2026-07-01T08:00:00+02:00", datetime(2026, 7, 1, 6, 0, tzinfo=UTC)),
])
def test_times_are_read_in_the_service_zone_unless_they_say_otherwise(text: str, expected: datetime) -> None:
    assert parse_when(text, SANTIAGO) == expected


def test_bad_lines_are_listed_with_their_numbers_and_columns() -> None:
    text = "run,last_used_at,nota\n12345678-9,01-03-2026 09:30,x\n12345678-5,31-02-2026 10:00\n,\n10000013-K,ayer\n"
    parsed = parse_usage_csv(text, SANTIAGO)
    assert not parsed.ok
    assert [(error.line, error.field) for error in parsed.line_errors] == [
        (2, "run"), (3, "last_used_at"), (5, "last_used_at")]
    assert parsed.line_errors[0].reason.message.startswith("The check digit does not match")


@pytest.mark.parametrize(("text", "message"), [
    ("", "The file is empty."),
    ("RUN;Fecha\n12345678-5;01-03-2026\n", "The header line has no column for the last use; call it Último uso."),
    ("RUN;Último uso\n", "The file has a header line but no uses."),
])
def test_a_file_that_cannot_be_used_says_why(text: str, message: str) -> None:
    assert [reason.message for reason in parse_usage_csv(text, SANTIAGO).errors] == [message]


async def test_preview_then_apply(client: httpx.AsyncClient, services: AppServices) -> None:
    feed = await make_feed(services)
    used_before = await add_licence(services, (await licence(services, feed.ours)).organisation_id, "13131313-6",
                                    last_used_at=datetime(2026, 3, 12, tzinfo=UTC))
    await log_in(client, "officer")
    csrf = await csrf_from(client, "/licenses/usage/import")
    content = f"RUN;Último uso\n{OURS};10-03-2026 09:00\n{OTHERS};10-03-2026 09:00\n13131313-6;01-03-2026 09:00\n"
    preview = await client.post("/licenses/usage/import", data={"csrf_token": csrf},
                                files={"file": ("uso.csv", content.encode("cp1252"), "text/csv")})
    assert preview.status_code == 200, preview.text
    listed = re.search(r'data-testid="usage-preview">(.*?)</ul>', preview.text, re.S)
    assert listed is not None
    assert "1 licence gets a later last use" in listed.group(1)
    assert "1 licence already has this use or a later one" in listed.group(1)
    assert f"1 RUN without an active licence of the service: {OTHERS}" in listed.group(1)
    assert (await licence(services, feed.ours)).last_used_at is None  # the preview writes nothing

    applied = await client.post("/licenses/usage/import/apply", data={"csrf_token": csrf, "content": content})
    assert applied.status_code == 200
    assert "Recorded: 1 licence updated, 1 unchanged, 1 RUN without an active licence of the service." in applied.text
    assert (await licence(services, feed.ours)).last_used_at == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert (await licence(services, used_before)).last_used_at == datetime(2026, 3, 12, tzinfo=UTC)
    async with services.session_factory() as session:
        [event] = list(await session.scalars(select(AuditEvent).where(
            AuditEvent.action == "licenses.usage_recorded")))
    assert event.actor == "officer"
    assert event.after is not None
    assert event.after["updated"] == 1


async def test_a_file_with_errors_is_not_recorded(client: httpx.AsyncClient, services: AppServices) -> None:
    feed = await make_feed(services)
    await log_in(client, "officer")
    csrf = await csrf_from(client, "/licenses/usage/import")
    content = f"RUN,last_used_at\n{OURS},10-03-2026 09:00\n12345678-9,10-03-2026 09:00\n"
    preview = await client.post("/licenses/usage/import", data={"csrf_token": csrf},
                                files={"file": ("uso.csv", content.encode(), "text/csv")})
    assert preview.status_code == 422
    assert "/licenses/usage/import/apply" not in preview.text
    assert re.search(r"<td>3</td><td>RUN</td><td>The check digit", preview.text)
    forced = await client.post("/licenses/usage/import/apply", data={"csrf_token": csrf, "content": content})
    assert forced.status_code == 422
    assert (await licence(services, feed.ours)).last_used_at is None
    without_csrf = await client.post("/licenses/usage/import/apply", data={"content": content})
    assert without_csrf.status_code == 403


async def test_a_referent_may_not_import(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_feed(services)
    await log_in(client, "ref_a")
    assert (await client.get("/licenses/usage/import")).status_code == 403


async def test_a_spanish_reader_sees_one_and_many_in_proper_plurals(client: httpx.AsyncClient,
                                                                    services: AppServices) -> None:
    # Issue 23 item 9: "1 uso", "3 usos", not "licencia(s)".
    await make_feed(services)
    client.headers["accept-language"] = "es-CL,es;q=0.9"
    await log_in(client, "officer")
    csrf = await csrf_from(client, "/licenses/usage/import")

    async def preview(content: str) -> str:
        shown = await client.post("/licenses/usage/import", data={"csrf_token": csrf},
                                  files={"file": ("uso.csv", content.encode("cp1252"), "text/csv")})
        assert shown.status_code == 200, shown.text
        listed = re.search(r'data-testid="usage-preview">(.*?)</ul>', shown.text, re.S)
        assert listed is not None
        return listed.group(1)

    one = await preview(f"RUN;Último uso\n{OURS};10-03-2026 09:00\n")
    assert "1 uso en el archivo" in one
    assert "1 licencia recibe un último uso más reciente" in one
    assert "0 licencias ya tienen este uso o uno posterior" in one
    two = await preview(f"RUN;Último uso\n{OURS};10-03-2026 09:00\n{OTHERS};10-03-2026 09:00\n")
    assert "2 usos en el archivo" in two
    assert f"1 RUN sin licencia activa del servicio: {OTHERS}" in two
    assert "(s)" not in one + two
