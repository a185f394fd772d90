"""Regenerate the screenshots in docs/images/ from a real server.

Run from the project root: ``.venv/bin/python docs/screenshots.py [group ...]`` (every group by default).
It loads the demo data into a temporary directory with ``bedboard demo``, starts ``bedboard serve`` on a free
loopback port, drives Debian's Chromium through Playwright at 1366x768, saves the PNGs and stops the server it started.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

IMAGES = Path(__file__).resolve().parent / "images"
BEDBOARD = Path(sys.executable).parent / "bedboard"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VIEWPORT: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}
COORDINATOR = "coord.samb"
ADMIN_SAMB, ADMIN_MS = "admin.samb", "admin.ms"
OPERATOR = "op.floreasca"
REFERENT = "ref.laflorida"
OFFICER = "officer.ssmso"
EMPLOYEE, MANAGER, STEWARD, HEAD = "anna.berg", "chef.kardavd", "ehalsa.gavleborg", "vc.kard"
IT_CONTACT, ORDERS_ADMIN = "it.lund", "orders.skane"
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(var_dir: Path, port: int) -> dict[str, str]:
    """The caller's environment without its BEDBOARD_* settings, so that nothing real is touched."""
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("BEDBOARD_")}
    return {
        **inherited,
        "BEDBOARD_VAR_DIR": str(var_dir),
        "BEDBOARD_DATABASE_URL": f"sqlite+aiosqlite:///{var_dir / 'bedboard.sqlite3'}",
        "BEDBOARD_BASE_URL": f"http://127.0.0.1:{port}",
    }


def demo_passwords(environment: Mapping[str, str], var_dir: Path) -> dict[str, str]:
    """Runs ``bedboard demo`` and reads the passwords it keeps in its credentials file."""
    subprocess.run([str(BEDBOARD), "demo"], env=dict(environment), check=True, capture_output=True, timeout=120)
    document = json.loads((var_dir / "demo-credentials.json").read_text(encoding="utf-8"))
    return {str(name): str(password) for name, password in document["passwords"].items()}


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"bedboard serve exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise RuntimeError(f"bedboard serve did not answer within {START_TIMEOUT} s:\n{log.read_text()}")


@contextmanager
def running_server(environment: Mapping[str, str], var_dir: Path, port: int) -> Iterator[str]:
    """``bedboard serve`` in its own process; stopped by its own PID on the way out."""
    log = var_dir / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen([str(BEDBOARD), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                   env=dict(environment), stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def submit_login(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def shoot(page: Page, name: str) -> Path:
    path = IMAGES / name
    page.screenshot(path=str(path))
    return path


def coordinator_pages(browser: Browser, url: str, password: str) -> list[Path]:
    """The login page with the wrong-password message, then the account and change-password pages."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(f"{url}/login?next=/account")
        submit_login(page, COORDINATOR, "not the password")
        expect(page.get_by_test_id("login-error")).to_have_text("Wrong username or password.")
        saved = [shoot(page, "login.png")]
        submit_login(page, COORDINATOR, password)
        expect(page).to_have_url(f"{url}/account")
        expect(page.get_by_test_id("who")).to_contain_text("Demo Coordinator SAMB")
        saved.append(shoot(page, "account.png"))
        page.get_by_role("link", name="Change password").click()
        expect(page.get_by_role("heading", name="Change password")).to_be_visible()
        saved.append(shoot(page, "change-password.png"))
        return saved
    finally:
        context.close()


def operator_screen(browser: Browser, url: str, password: str) -> list[Path]:
    """An operator starts on the hospital's sections, under the incoming-patients panel with the demo's two patients
    (one acknowledged, one waiting: issue 22): at a desk with a number typed and not yet saved, then on a phone
    (390x844), where the table becomes one block per section."""
    saved: list[Path] = []
    for viewport, name in ((VIEWPORT, "operator.png"), (PHONE, "operator-phone.png")):
        context = browser.new_context(viewport=viewport, locale="en-GB")
        try:
            page = context.new_page()
            page.goto(f"{url}/login")
            submit_login(page, OPERATOR, password)
            expect(page).to_have_url(f"{url}/operator")
            expect(page.locator("table.sections")).to_be_visible()
            expect(page.locator("#announcement-list li.announcement")).to_have_count(2)
            if viewport is VIEWPORT:
                box = page.locator("table.sections input.free-input").first
                box.fill(str(int(box.input_value() or "0") + 1))
                expect(page.get_by_text("Not saved").first).to_be_visible()
            saved.append(shoot(page, name))
        finally:
            context.close()
    return saved


def board_pages(browser: Browser, url: str, password: str) -> list[Path]:
    """The live board as a coordinator sees it: the matrix, filtered, on a 1920x1080 wall screen (dark by
    default), by hospital, and in the dark theme."""
    saved = []
    for name, path, viewport in (("board.png", "/board", VIEWPORT),
                                 ("board-filtered.png", "/board?hospital_type=emergency&occupancy_max=80", VIEWPORT),
                                 ("board-wall.png", "/board?wall=1", {"width": 1920, "height": 1080}),
                                 ("board-cards.png", "/board?view=cards", VIEWPORT),
                                 ("board-dark.png", "/board", VIEWPORT)):
        scheme: Literal["dark", "light"] = "dark" if "dark" in name else "light"  # the board follows the system
        context = browser.new_context(viewport=viewport, locale="en-GB",  # type: ignore[arg-type]
                                      color_scheme=scheme)
        try:
            page = context.new_page()
            page.goto(f"{url}/login?next={path.replace('&', '%26').replace('?', '%3F')}")
            submit_login(page, COORDINATOR, password)
            expect(page.locator("#connection")).to_have_text("Live")
            saved.append(shoot(page, name))
        finally:
            context.close()
    saved.append(board_closure(browser, url, password))
    return saved


@contextmanager
def emergency_matrix(browser: Browser, url: str, password: str) -> Iterator[Page]:
    """The coordinator's board filtered to the emergency hospitals, on a desk screen in English, live."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", color_scheme="light")
    try:
        page = context.new_page()
        page.goto(f"{url}/login?next=/board%3Fhospital_type%3Demergency")
        submit_login(page, COORDINATOR, password)
        expect(page.locator("#connection")).to_have_text("Live")
        yield page
    finally:
        context.close()


def board_closure(browser: Browser, url: str, password: str) -> Path:
    """The demo's hospital closed to ambulances (issue 21) in the emergency hospitals' matrix, its reason and time
    left in the tip that pointing at its CLOSED word shows."""
    with emergency_matrix(browser, url, password) as page:
        closed = page.locator("tr.matrix-row.adm-closed .admission-badge").first
        closed.scroll_into_view_if_needed()
        page.mouse.wheel(0, 200)
        closed.hover()
        expect(page.locator("#admission-tip")).to_be_visible()
        return shoot(page, "board-closed.png")


def board_holds(browser: Browser, url: str, password: str) -> list[Path]:
    """The emergency hospitals' matrix with the demo's patients on their way (issue 22): a cell with a bed held and a
    patient announced says "1 held · 1 announced" under its free count, and Find a bed, asked for intensive care,
    ranks a hospital by its free beds less those held, "· 1 held" beside it. The whole page, filters folded: the
    list and the matrix under it are taller than one screen."""
    with emergency_matrix(browser, url, password) as page:
        expect(page.get_by_test_id("dispatch-counts").first).to_be_visible()
        page.locator("#filters-panel > summary").click()
        page.locator("#find-bed-title").click()
        page.select_option("#find-type", label="Anaesthesia and intensive care")
        expect(page.locator("#find-results .find-held").first).to_be_visible()
        path = IMAGES / "board-holds.png"
        page.screenshot(path=str(path), full_page=True)
        return [path]


def board_map(browser: Browser, url: str, password: str) -> list[Path]:
    """The board's map (issue 22) with no tile server: the shipped outline, the demo's hospitals' intensive care
    beds, and 'Nearest free bed' from Piața Unirii."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", color_scheme="light")
    try:
        page = context.new_page()
        page.goto(f"{url}/login?next=/board/map")
        submit_login(page, COORDINATOR, password)
        page.select_option("#map-section-type", label="Anaesthesia and intensive care")
        expect(page.locator(".map-marker").first).to_be_visible()
        page.select_option("#nearest-locality", label="București, Piața Unirii")
        page.get_by_role("button", name="Find the nearest").click()
        expect(page.locator("#nearest-results li").first).to_be_visible()
        return [shoot(page, "board-map.png")]
    finally:
        context.close()


def licence_pages(browser: Browser, url: str, passwords: Mapping[str, str]) -> list[Path]:
    """The licence module in Spanish: the referent's form with a refused RUN, the officer's queue and pool."""
    saved = []
    context = browser.new_context(viewport=VIEWPORT, locale="es-CL", extra_http_headers={"Accept-Language": "es-CL"})
    try:
        page = context.new_page()
        page.goto(f"{url}/login?next=/licenses/requests/new")
        page.locator("#username").fill(REFERENT)
        page.locator("#password").fill(passwords[REFERENT])
        page.locator("form button[type=submit]").click()
        page.locator("#full_name-1").fill("alba PLAZA santelices")
        page.locator("#run-1").fill("12345678-9")
        page.locator("#gender-1").select_option("female")
        page.locator("#full_name-2").fill("juan de la FUENTE rojas")
        page.locator("#run-2").fill("10.000.013-k")
        page.locator("#gender-2").select_option("male")
        page.locator("button[value='submit']").click()
        expect(page.locator(".field-error").first).to_be_visible()
        saved.append(shoot(page, "licence-request-form.png"))
    finally:
        context.close()
    for name, path in (("licence-queue.png", "/licenses/queue"), ("licence-pool.png", "/licenses/pool")):
        context = browser.new_context(viewport=VIEWPORT, locale="es-CL",
                                      extra_http_headers={"Accept-Language": "es-CL"})
        try:
            page = context.new_page()
            page.goto(f"{url}/login?next={path}")
            page.locator("#username").fill(OFFICER)
            page.locator("#password").fill(passwords[OFFICER])
            page.locator("form button[type=submit]").click()
            expect(page).to_have_url(f"{url}{path}")
            saved.append(shoot(page, name))
        finally:
            context.close()
    return saved


def page_in(browser: Browser, url: str, language: str, username: str, password: str, path: str) -> Page:
    """A new browser reading ``language`` ("es-CL", "sv-SE"), logged in as ``username`` and on ``path``."""
    context = browser.new_context(viewport=VIEWPORT, locale=language, extra_http_headers={"Accept-Language": language})
    page = context.new_page()
    page.goto(f"{url}/login?next={path}")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(f"{url}{path}")
    return page


def swedish_page(browser: Browser, url: str, username: str, password: str, path: str) -> Page:
    """A new Swedish browser, logged in as ``username`` and on ``path``; the caller closes its context."""
    return page_in(browser, url, "sv-SE", username, password, path)


def roles_pages(browser: Browser, url: str, passwords: Mapping[str, str]) -> list[Path]:
    """The roles module in Swedish: an employee's login tickets, the manager's page of that employee, a role
    catalogue, and the catalogue change waiting for the head of operations."""
    saved = []
    page = swedish_page(browser, url, EMPLOYEE, passwords[EMPLOYEE], "/roles/tickets")
    try:
        expect(page.locator("main")).to_contain_text("Kardiologi / Sjuksköterska / Hjärtsvikt")
        saved.append(shoot(page, "roles-tickets.png"))
    finally:
        page.context.close()
    page = swedish_page(browser, url, MANAGER, passwords[MANAGER], "/roles/staff")
    try:
        page.get_by_role("link", name="Anna Berg").first.click()
        expect(page.locator("main")).to_contain_text("Kardiologi / Sjuksköterska / Hjärtsvikt")
        saved.append(shoot(page, "roles-employee.png"))
    finally:
        page.context.close()
    page = swedish_page(browser, url, STEWARD, passwords[STEWARD], "/roles/catalogues")
    try:
        page.get_by_role("link", name="VO Kardiologi").first.click()
        expect(page.locator("main")).to_contain_text("Hjärtmottagning Gävle (SE2321000198-E2KA)")
        saved.append(shoot(page, "roles-catalogue.png"))
    finally:
        page.context.close()
    page = swedish_page(browser, url, HEAD, passwords[HEAD], "/roles/changes")
    try:
        page.locator("main a[href^='/roles/requests/']").first.click()
        expect(page.locator("main")).to_contain_text("Undersköterskor på hjärtmottagningen")
        saved.append(shoot(page, "roles-change.png"))
    finally:
        page.context.close()
    return saved


def orders_pages(browser: Browser, url: str, passwords: Mapping[str, str]) -> list[Path]:
    """The IT-order module in Swedish: the IT contact's queue (overdue first) and a new audiologist's checklist
    with WebSesam waiting for the prescriber training."""
    saved = []
    page = swedish_page(browser, url, IT_CONTACT, passwords[IT_CONTACT], "/orders")
    try:
        expect(page.locator("main")).to_contain_text("Karin Ek")
        saved.append(shoot(page, "orders-queue.png"))
        page.goto(f"{url}/orders/people")
        page.get_by_role("link", name="Karin Ek").first.click()
        page.get_by_test_id("person-orders").get_by_role("link").filter(has_text="Ny användare").first.click()
        expect(page.locator("main")).to_contain_text("WebSesam")
        saved.append(shoot(page, "orders-checklist.png"))
    finally:
        page.context.close()
    page = swedish_page(browser, url, ORDERS_ADMIN, passwords[ORDERS_ADMIN], "/orders/catalogues")
    try:
        page.locator("main a[href='/orders/catalogues/skane_audiology']").first.click()
        expect(page.locator("main")).to_contain_text("RSVPN")
        saved.append(shoot(page, "orders-catalogue.png"))
    finally:
        page.context.close()
    return saved


def admin_pages(browser: Browser, url: str, passwords: Mapping[str, str]) -> list[Path]:
    """The user list with each operator's owning authority (SAMB's administrator), then the same operator's page
    as the ministry's administrator sees it: read-only, with the Take ownership button."""
    saved = []
    for username, name in ((ADMIN_SAMB, "admin-users.png"), (ADMIN_MS, "admin-take-ownership.png")):
        context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
        try:
            page = context.new_page()
            page.goto(f"{url}/login?next=/admin/users")
            submit_login(page, username, passwords[username])
            expect(page.get_by_test_id("users")).to_contain_text(OPERATOR)
            if username == ADMIN_MS:
                page.goto(f"{url}/admin/users")
                page.get_by_role("row").filter(has_text=OPERATOR).get_by_role("link").click()
                expect(page.get_by_role("button", name="Take ownership")).to_be_visible()
            saved.append(shoot(page, name))
        finally:
            context.close()
    return saved


def provisioning_admin_pages(browser: Browser, url: str, passwords: Mapping[str, str]) -> list[Path]:
    """What the provisioning organisations administer in the product (issue 23): a region's units and their
    managers, a unit without one, a fulfilling group's work queue, main-contractor changes, a removal proposed as not
    applicable waiting for an IT-order administrator, a leaver's end order, an organisation's time zone, a user's own
    e-mail address, a health service's own users and its auditor's history."""
    shots = (
        ("roles-units.png", "sv-SE", "it.gavleborg", "/roles/units", "Hälsocentralen Söder"),
        ("orders-work-queue.png", "sv-SE", "klk.it", "/orders/groups/klk_it", None),
        ("orders-contractors.png", "sv-SE", "orders.uppsala", "/orders/contractors", None),
        ("orders-confirmations.png", "sv-SE", ORDERS_ADMIN, "/orders/confirmations", "Eva Berg"),
        ("admin-time-zone.png", "es-CL", "admin.ssmso", "/admin/time-zone", "America/Santiago"),
        ("account-email.png", "es-CL", REFERENT, "/account/email", None),
        ("admin-users-tree.png", "es-CL", "admin.ssmso", "/admin/users", None),
        ("audit-tree.png", "es-CL", "audit.ssmso", "/audit", None),
    )
    saved = []
    for name, language, username, path, expected in shots:
        page = page_in(browser, url, language, username, passwords[username], path)
        try:
            if expected:
                expect(page.locator("main")).to_contain_text(expected)
            saved.append(shoot(page, name))
        finally:
            page.context.close()
    page = page_in(browser, url, "sv-SE", IT_CONTACT, passwords[IT_CONTACT], "/orders/people")
    try:  # a leaver's end order: what the access register still lists, and SKAT's deletion waiting for it
        page.get_by_role("link", name="Olof Lind").first.click()
        page.get_by_test_id("person-orders").get_by_role("link").filter(has_text="Avsluta").first.click()
        expect(page.locator("main")).to_contain_text("RSVPN")
        saved.append(shoot(page, "orders-leaver.png"))
    finally:
        page.context.close()
    page = page_in(browser, url, "sv-SE", "it.gavleborg", passwords["it.gavleborg"], "/roles/units")
    try:
        page.locator("main").get_by_role("link").filter(has_text="Hälsocentralen Söder").first.click()
        saved.append(shoot(page, "roles-unit-without-manager.png"))
    finally:
        page.context.close()
    return saved


GROUPS: Mapping[str, Callable[[Browser, str, Mapping[str, str]], list[Path]]] = {
    "coordinator": lambda browser, url, passwords: coordinator_pages(browser, url, passwords[COORDINATOR]),
    "admin": admin_pages,
    "operator": lambda browser, url, passwords: operator_screen(browser, url, passwords[OPERATOR]),
    "board": lambda browser, url, passwords: board_pages(browser, url, passwords[COORDINATOR]),
    "map": lambda browser, url, passwords: board_map(browser, url, passwords[COORDINATOR]),
    "holds": lambda browser, url, passwords: board_holds(browser, url, passwords[COORDINATOR]),
    "licences": licence_pages,
    "roles": roles_pages,
    "orders": orders_pages,
    "provisioning-admin": provisioning_admin_pages,
}


def take_screenshots(url: str, passwords: Mapping[str, str], groups: Sequence[str]) -> list[Path]:
    IMAGES.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            return [path for group in groups for path in GROUPS[group](browser, url, passwords)]
        finally:
            browser.close()


def main() -> int:
    """Every group of screenshots, or only those named: ``docs/screenshots.py orders roles``."""
    groups = sys.argv[1:] or list(GROUPS)
    unknown = [group for group in groups if group not in GROUPS]
    if unknown:
        sys.stderr.write(f"unknown group(s) {', '.join(unknown)}; known: {', '.join(GROUPS)}\n")
        return 2
    if not Path(CHROMIUM).exists():
        sys.stderr.write(f"{CHROMIUM} is missing: apt-get install chromium\n")
        return 2
    with tempfile.TemporaryDirectory(prefix="bedboard-docshots-") as directory:
        var_dir = Path(directory)
        port = free_port()
        environment = server_environment(var_dir, port)
        passwords = demo_passwords(environment, var_dir)
        with running_server(environment, var_dir, port) as url:
            saved = take_screenshots(url, passwords, groups)
    for path in saved:
        sys.stdout.write(f"saved {path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
