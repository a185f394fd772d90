"""The reference: a bare ``websockets`` server (its own asyncio server and ``websockets.broadcast``).

Board clients connect on any path, send the same subscribe message as to bedboard and get the same
snapshot; the driver connects on ``/feed`` and sends each section's new state, which is serialised once
and broadcast to the matching clients (half of them filter on one section type, as on bedboard).
Run: ``python -m bench.reference PORT SNAPSHOT.json``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast, serve

from bench.common import raise_file_limit

Subscribers = dict[ServerConnection, frozenset[int]]


def dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


async def _feed(connection: ServerConnection, subscribers: Subscribers) -> None:
    seq = 0
    async for message in connection:
        update = json.loads(message)
        seq += 1
        section = update["section"]
        frame = dumps({"type": "change", "seq": seq, "committed_at": update["committed_at"], "section": section})
        type_id = section["section_type_id"]
        broadcast([c for c, types in subscribers.items() if not types or type_id in types], frame)


async def _board(connection: ServerConnection, subscribers: Subscribers, sections: list[dict[str, Any]]) -> None:
    try:
        async for message in connection:
            filters = json.loads(message).get("filters") or {}
            types = frozenset(filters.get("section_types") or ())
            shown = [s for s in sections if not types or s["section_type_id"] in types]
            await connection.send(dumps({"type": "snapshot", "seq": 0, "epoch": "reference", "sections": shown}))
            subscribers[connection] = types
    finally:
        subscribers.pop(connection, None)


async def main(port: int, snapshot: Path) -> None:
    sections: list[dict[str, Any]] = json.loads(snapshot.read_text())
    subscribers: Subscribers = {}

    async def handler(connection: ServerConnection) -> None:
        if connection.request is not None and connection.request.path == "/feed":
            await _feed(connection, subscribers)
        else:
            await _board(connection, subscribers, sections)

    async with serve(handler, "127.0.0.1", port, compression=None, max_size=65536, backlog=4096,
                     ping_interval=None) as server:
        await server.serve_forever()


if __name__ == "__main__":
    raise_file_limit()
    asyncio.run(main(int(sys.argv[1]), Path(sys.argv[2])))
