"""How the bed domain plugs into the app: the board, the operator's screen, the nomenclature pages, the bed
API, their navigation entries, and the live feed that carries every committed change to the open boards."""

from __future__ import annotations

from pathlib import Path

from accounts import permissions
from app.beds import (
    admission_jobs,
    admission_page_routes,
    admission_routes,
    api_routes,
    board_routes,
    map_routes,
    nearest_routes,
    operator_routes,
)
from app.beds.audited_objects import AUDITED_OBJECTS
from app.beds.board_filter import BoardFilter
from app.beds.board_routes import authorise_board_socket
from app.beds.demo import DEMO
from app.beds.live_channel import LiveChannel
from app.beds.live_feed import BedFeed
from app.beds.nomenclature import cli as nomenclature_cli
from app.beds.nomenclature import interval_routes, reason_routes
from app.beds.nomenclature import routes as nomenclature_routes
from app.beds.running import BedServices, bed_services
from app.beds.write_batch import FreeBedsWriter
from app.kit.db import BeforeCommit
from app.kit.i18n import _
from app.kit.plugins import NavItem, Plugin
from app.kit.settings import Settings
from app.kit.state import AppServices
from realtime.endpoint import BoardSocket
from realtime.hub import Hub


def _install(services: AppServices) -> None:
    feed = BedFeed(services.session_factory, services.clock)
    live = LiveChannel(services.hub, services.settings.database_url)
    board_socket = BoardSocket(services.hub, feed, authorise_board_socket, services.clock.now,
                               parse_filters=BoardFilter.parse)
    services.provide(BedServices(feed=feed, live=live, board_socket=board_socket,
                                 writes=FreeBedsWriter(services.unit_of_work)))
    # Looked up at each commit (not bound now), so that a test may replace the channel's methods.
    services.before_commit.append(lambda session, events: bed_services(services).live.before_commit(session, events))
    services.after_commit.append(lambda events: bed_services(services).live.after_commit(events))


async def _start(services: AppServices) -> None:
    running = bed_services(services)
    await running.feed.load_epoch()
    await running.live.start()


async def _stop(services: AppServices) -> None:
    await bed_services(services).live.stop()


def _readiness(services: AppServices) -> str | None:
    if bed_services(services).live.listening:
        return None
    return "listener: not connected to PostgreSQL (LISTEN), boards would miss changes"


def _command_before_commit(settings: Settings) -> BeforeCommit:
    # On PostgreSQL a command's changes (e.g. an import) reach the running servers' boards by NOTIFY.
    return LiveChannel(Hub(), settings.database_url).before_commit


PLUGIN = Plugin(
    name="beds",
    routes=[*operator_routes.routes, *board_routes.routes, *nomenclature_routes.routes,
            *interval_routes.routes, *reason_routes.routes, *api_routes.routes, *admission_routes.routes,
            *admission_page_routes.routes, *map_routes.routes, *nearest_routes.routes],
    navigation=[
        NavItem(_("Board"), "/board", permissions.BOARD_VIEW, 10),
        NavItem(_("Sections"), "/operator", permissions.BEDS_WRITE_OWN_HOSPITAL, 20),
        NavItem(_("Nomenclature"), "/admin/nomenclature", permissions.NOMENCLATURE_IMPORT, 50),
    ],
    template_dirs=[Path(__file__).resolve().parent / "templates"],
    install=_install,
    start=_start,
    stop=_stop,
    readiness=_readiness,
    commands=[nomenclature_cli.COMMAND],
    command_before_commit=_command_before_commit,
    demo=DEMO,
    jobs=[admission_jobs.JOB],
    audit_objects=AUDITED_OBJECTS,
)
