"""The example deployment files in deploy/: nginx accepts the site, bedboard works through it (TLS, the
board's websocket, forwarded addresses that a client cannot forge), and the systemd unit's commands parse."""

from __future__ import annotations

import asyncio
import configparser
import json
import os
import re
import shlex
import shutil
import sqlite3
import ssl
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from app.cli import build_parser
from tests.factories import TEST_PASSWORD
from tests.live_server import LiveServer, start_server, stop_process
from tests.postgres_cluster import free_port
from tests.realtime.conftest import _seed

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
SITE = DEPLOY / "nginx-bedboard.conf"
UNIT = DEPLOY / "bedboard.service"


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None or shutil.which("openssl") is None:
        message = "nginx or openssl is missing (Debian: apt-get install nginx-light openssl)"
        if os.environ.get("CI") or os.environ.get("BEDBOARD_REQUIRE_NGINX") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return found


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    certificate, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=beds.example.org", "-addext", "subjectAltName=DNS:beds.example.org,IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(certificate)], check=True, capture_output=True)
    return certificate, key


@dataclass
class Site:
    main_conf: Path
    https_port: int
    folder: Path


def prepare_site(folder: Path, upstream_port: int = 8000) -> Site:
    """The shipped file, with only what must differ on a test machine replaced: ports, certificate and log
    paths. Everything else (headers, timeouts, the websocket upgrade, /metrics) is tested as shipped."""
    certificate, key = self_signed_certificate(folder)
    https_port, http_port = free_port(), free_port()
    site = SITE.read_text()
    replacements = {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream_port};",
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "listen [::]:443 ssl;": "",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "/etc/ssl/bedboard/fullchain.pem": str(certificate),
        "/etc/ssl/bedboard/privkey.pem": str(key),
        "/var/log/nginx/": f"{folder}/",
    }
    for old, new in replacements.items():
        assert old in site, f"deploy/nginx-bedboard.conf no longer has {old!r}: update this test"
        site = site.replace(old, new)
    (folder / "bedboard.conf").write_text(site)
    main_conf = folder / "nginx.conf"
    # The same http block as Debian's nginx.conf reads conf.d/*.conf in, minus what the site does not need.
    main_conf.write_text(f"""daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    include {folder}/bedboard.conf;
}}
""")
    return Site(main_conf, https_port, folder)


def test_nginx_accepts_the_example_site(tmp_path: Path) -> None:
    nginx = nginx_binary()
    site = prepare_site(tmp_path)
    checked = subprocess.run([nginx, "-t", "-c", str(site.main_conf), "-e", str(tmp_path / "startup.log")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr
    assert "[warn]" not in checked.stderr, checked.stderr


@pytest.fixture
def served_through_nginx(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[LiveServer, Site]]:
    nginx = nginx_binary()
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(asyncio.run, _seed(sqlite_url, tmp_path)).result()
    nginx_folder = tmp_path / "nginx"
    nginx_folder.mkdir()
    upstream_port = free_port()
    site = prepare_site(nginx_folder, upstream_port)
    public = f"https://127.0.0.1:{site.https_port}"
    server = start_server(sqlite_url, tmp_path, port=upstream_port, BEDBOARD_ALLOWED_ORIGINS=public)
    proxy = subprocess.Popen([nginx, "-c", str(site.main_conf), "-e", str(nginx_folder / "startup.log")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while not (nginx_folder / "nginx.pid").exists():
            assert proxy.poll() is None, (nginx_folder / "error.log").read_text()
            assert time.monotonic() < deadline, "nginx did not start within 20 s"
            time.sleep(0.05)
        yield server, site
    finally:
        stop_process(proxy)
        server.stop()


def client_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test certificate is self-signed
    return context


async def test_bedboard_works_through_the_example_site(served_through_nginx: tuple[LiveServer, Site],
                                                       sqlite_url: str) -> None:
    server, site = served_through_nginx
    public = f"https://127.0.0.1:{site.https_port}"
    async with httpx.AsyncClient(base_url=public, verify=client_context()) as browser:
        # nginx answers /metrics itself; bedboard would have answered this loopback caller with 200
        assert (await browser.get("/metrics")).status_code == 404
        assert (await browser.get("/health")).status_code == 200
        page = await browser.get("/login?next=/roles&q=19121212-1212")
        token = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page.text)
        assert token
        refused = await browser.post("/login", data={"username": "coord", "password": "wrong",
                                                     "csrf_token": token.group(1)},
                                     headers={"X-Forwarded-For": "198.51.100.7"})
        assert refused.status_code == 401
        logged_in = await browser.post("/login", data={"username": "coord", "password": TEST_PASSWORD,
                                                       "csrf_token": token.group(1)})
        assert logged_in.status_code == 303, logged_in.text
        cookies = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
    async with connect(f"wss://127.0.0.1:{site.https_port}/ws/beds", ssl=client_context(), origin=public,  # type: ignore[arg-type]
                       additional_headers={"Cookie": cookies}, compression=None) as socket:
        await socket.send(json.dumps({"type": "subscribe", "filters": {}, "since": None, "epoch": None}))
        first = json.loads(await asyncio.wait_for(socket.recv(), 10))
        assert first["type"] == "snapshot"
        assert len(first["sections"]) == 3
    database = sqlite3.connect(sqlite_url.split("///", 1)[1])
    try:
        addresses = {row[0] for row in database.execute(
            "SELECT client_address FROM audit_events WHERE action LIKE 'accounts.login%'")}
    finally:
        database.close()
    # nginx replaced the forged header with the real address; the audit log and throttling see that one
    assert addresses == {"127.0.0.1"}
    access_log = (site.folder / "bedboard.access.log").read_text()
    assert '"GET /login HTTP/1.1" 200' in access_log
    assert "19121212" not in access_log
    assert "?" not in access_log


def unit_commands() -> dict[str, list[str]]:
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(UNIT)
    service = unit["Service"]
    return {key: shlex.split(service[key]) for key in ("ExecStart", "ExecStartPre")}


def test_the_systemd_unit_runs_bedboard_commands_that_exist() -> None:
    commands = unit_commands()
    for key, command in commands.items():
        assert command[0].endswith("/.venv/bin/bedboard"), key
        build_parser().parse_args(command[1:])  # exits (SystemExit) on an unknown command or option
    serve = build_parser().parse_args(commands["ExecStart"][1:])
    check = build_parser().parse_args(commands["ExecStartPre"][1:])
    assert serve.host == "127.0.0.1"  # only nginx reaches it
    assert serve.workers == check.workers  # the pre-start check judges the worker count that will run
    assert f"server 127.0.0.1:{serve.port};" in SITE.read_text()  # nginx proxies to where it listens
