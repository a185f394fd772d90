"""The live routes of the dispatch: the hospital screens' socket, and the board's counts of announced patients and
held beds (a small JSON the board's script merges into its cells, so the section frames stay the board's own)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from accounts import permissions
from accounts.guard import PERMISSION_ATTRIBUTE, requires
from app.beds.dispatch import queries
from app.beds.dispatch.running import dispatch_services
from app.kit.state import services


async def screen_socket(websocket: WebSocket) -> None:
    await dispatch_services(websocket).screen_socket(websocket)


setattr(screen_socket, PERMISSION_ATTRIBUTE, permissions.DISPATCH_RECEIVE)


@requires(permissions.BOARD_VIEW)
async def board_counts(request: Request) -> Response:
    async with services(request).unit_of_work() as uow:
        return JSONResponse({"counts": await queries.board_counts(uow.session)})


routes: list[BaseRoute] = [
    WebSocketRoute("/ws/dispatch", screen_socket, name="dispatch_socket"),
    Route("/board/dispatch-counts", board_counts, methods=["GET"], name="board_dispatch_counts"),
]
