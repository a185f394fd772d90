from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from app.clock import ManualClock
from app.main import create_app
from app.settings import Settings
from app.state import AppServices
from tests.factories import make_organisation
from tests.web import BrowserFactory


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, secret_key="test-secret-" + "k" * 40, var_dir=tmp_path,
                    password_profile="fast-insecure-for-tests")


@pytest.fixture
async def app(settings: Settings, clock: ManualClock) -> AsyncIterator[Starlette]:
    application = create_app(settings, clock=clock)
    services: AppServices = application.state.services
    for code, kind in (("SAMB", "authority"), ("MS", "authority"), ("H-FLOR", "hospital")):
        await make_organisation(services, code, kind)
    yield application
    services.accounts.hasher.close()
    await services.engine.dispose()


@pytest.fixture
def services(app: Starlette) -> AppServices:
    found: AppServices = app.state.services
    return found


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def new_client(app: Starlette) -> BrowserFactory:
    """Another browser (its own cookies), optionally from another client address."""

    def open_browser(address: str = "10.9.9.9") -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 50001)),
                                 base_url="http://testserver")

    return open_browser
