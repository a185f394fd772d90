"""Hostile subscribe frames get an error frame and the socket stays usable (issue 18, defect 6).

Before, a deeply nested frame raised RecursionError in the endpoint and the socket died without a close frame;
a key holding a lone surrogate could not be encoded in the error that named it.
"""

from __future__ import annotations

import json

import pytest

from realtime.filters import MAX_FRAME_DEPTH, frame_problem
from tests.realtime.conftest import BoardWorld, Browser, next_message, subscribe


async def test_deep_or_broken_frames_get_error_frames_and_the_socket_goes_on(board_world: BoardWorld) -> None:
    coordinator = Browser(board_world.url)
    await coordinator.log_in("coord")
    async with await coordinator.open_board(board_world.ws_url) as socket:
        await socket.send("[" * 30_000 + "]" * 30_000)  # under the 64 KiB frame limit
        assert (await next_message(socket))["code"] == "too_deep"
        nested: object = {}
        for _level in range(10):
            nested = {"occupancy": nested}
        await socket.send(json.dumps({"type": "subscribe", "filters": nested}))
        assert (await next_message(socket))["code"] == "too_deep"
        await socket.send('{"type": "subscribe", "filters": {"q": "a\\u0000b"}}')
        assert (await next_message(socket))["code"] == "invalid_text"
        await socket.send('{"type": "subscribe", "filters": {"\\ud800": 1}}')
        assert (await next_message(socket))["code"] == "invalid_text"
        await subscribe(socket)  # still open, still answering
        assert (await next_message(socket))["type"] == "snapshot"
    await coordinator.close()


@pytest.mark.parametrize(("frame", "expected"), [
    ({"type": "subscribe", "filters": {"occupancy": {"min": 1}, "hospitals": [1, 2]}}, None),
    ({"type": "subscribe", "filters": {"hospitals": [[[[1]]]]}}, "too_deep"),
    ({"type": "subscribe", "filters": {"q": "\ud800"}}, "invalid_text"),
    ({"type": "subscribe", "since": 3, "epoch": "e"}, None),
])
def test_frame_problem(frame: object, expected: str | None) -> None:
    problem = frame_problem(frame)
    assert (problem[0] if problem else None) == expected
    assert MAX_FRAME_DEPTH >= 3  # the deepest legitimate frame: {"filters": {"occupancy": {...}}}
