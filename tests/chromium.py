"""One Playwright driver and one Chromium for each run of consecutive browser tests, instead of one per module.

Starting the driver and Chromium and closing them took 1.2-1.9 s (measured three times on the loaded 2-core
machine), once per browser module before. They cannot simply live for the whole session: Playwright's sync
API keeps its event loop running in this thread while it is open, and pytest-asyncio cannot run an async
test beside it. So the browser stays open only while the next test also uses it (``close_unless_needed``,
called by tests/conftest.py after each test). tests/conftest.py also marks every test that uses the ``browser``
fixture as one xdist group, so that ``--dist loadgroup`` runs them one after another on one worker; with
pytest 9.2 and pytest-xdist 3.8 the mark has no effect yet (xdist appends the group to ``item._nodeid``, which
pytest 9 no longer reads), so each worker opens a Chromium per run of browser tests it gets. Nothing here
depends on the grouping for correctness.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright
from playwright.sync_api._context_manager import PlaywrightContextManager

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
ENABLE_HINT = ("Browser tests need Debian's chromium (apt-get install chromium), driven by pip's playwright. "
               "CI sets BEDBOARD_REQUIRE_BROWSER=1, under which its absence fails the run.")
BROWSER_FIXTURE = "browser"
GROUP = "browser"


class ChromiumSession:
    """The running driver and browser, started on first use."""

    def __init__(self) -> None:
        self._manager: PlaywrightContextManager | None = None
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    def browser(self) -> Browser:
        if self._browser is None:
            if not Path(CHROMIUM).exists():
                if os.environ.get("BEDBOARD_REQUIRE_BROWSER") == "1":
                    pytest.fail(ENABLE_HINT)
                pytest.skip(ENABLE_HINT)
            self._manager = sync_playwright()
            self._playwright = self._manager.__enter__()
            self._browser = self._playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                                            headless=True)
        return self._browser

    def close(self) -> None:
        browser, manager = self._browser, self._manager
        self._browser = self._playwright = self._manager = None
        try:
            if browser is not None:
                browser.close()
        finally:
            if manager is not None:
                manager.__exit__(None, None, None)

    def close_unless_needed(self, next_item: pytest.Item | None) -> None:
        if self._manager is not None and not uses_browser(next_item):
            self.close()


def uses_browser(item: pytest.Item | None) -> bool:
    return item is not None and BROWSER_FIXTURE in getattr(item, "fixturenames", ())


SESSION = ChromiumSession()
