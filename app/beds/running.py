"""What the bed domain keeps while an app runs: the board's feed, its live channel, its websocket endpoint and
the free-beds writer. Made once per app when the beds plugin is installed (``app/beds/plugin.py``) and found
again from a request by ``bed_services``."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection

from app.beds.live_channel import LiveChannel
from app.beds.live_feed import BedFeed
from app.beds.write_batch import FreeBedsWriter
from app.kit.state import AppServices, services
from realtime.endpoint import BoardSocket


@dataclass(frozen=True)
class BedServices:
    feed: BedFeed
    live: LiveChannel
    board_socket: BoardSocket
    # Free-bed writes go through one writer per process, which commits the writes waiting together.
    writes: FreeBedsWriter


def bed_services(connection: HTTPConnection | AppServices) -> BedServices:
    app_services = connection if isinstance(connection, AppServices) else services(connection)
    return app_services.get(BedServices)
