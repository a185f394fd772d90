"""Issue 24's reconnect storm: N boards live on a server, the server restarted on the same database, every
board reconnecting at once; how long until each holds its snapshot again.

bedboard as ``bedboard serve`` runs it (uvicorn, SQLite, one worker) on 127.0.0.1; the boards are real
``/ws/beds`` clients (session cookie, ``Origin``, subscribe, snapshot) in their own processes, half of them
filtered to one section type as in the fan-out bench, all with one coordinator's session. *Live again* is
from the moment the new server answers its health check to the last board live again (the server's start is
not counted: it is the same whatever the boards do); *with the restart* counts from the old server's end.
Twice: the boards *resume* from the sequence number and epoch they had, as the pages do (the same database:
each gets an empty backfill and its "resumed"), then, after another restart, each asks for a *snapshot* (a
page told to resync, or one whose filters changed). The target is read on the first. Stops by itself: every
wait is bounded.

    python -m bench.reconnect --sockets=5000 --sections=1500
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.clients import fleet
from bench.fanout import client_processes
from bench.world import seed, session_cookie, start_bedboard

LIVE_AGAIN_LIMIT_S = 10.0  # issue 24: 5,000 boards reconnecting at once are all live again within 10 s


def run(sockets: int, sections: int, scratch: Path) -> dict[str, Any]:
    scratch.mkdir(parents=True, exist_ok=True)
    url = f"sqlite+aiosqlite:///{scratch / 'reconnect.sqlite3'}"
    seeded = seed(url, scratch, sections)
    server = start_bedboard(url, scratch)
    clients = None
    try:
        cookie = session_cookie(server.url)
        clients = fleet(server.ws_url, server.url, cookie, sockets, seeded.surgery_type, client_processes(sockets))
        connected = clients.connect()
        result: dict[str, Any] = {"sockets": sockets, "sections": sections, "connected": len(connected["connect_s"])}
        for resume, name in ((True, "resume"), (False, "snapshot")):
            stopped_at = time.time()
            server.stop()
            server = start_bedboard(url, scratch)
            healthy_at = time.time()
            again = clients.reconnect(server.ws_url, server.url, resume=resume)
            result[name] = {"live_again": again["live"], "failed": again["failed"], "failures": again["failures"],
                            "live_again_s": again["last_live_at"] - healthy_at,
                            "with_restart_s": again["last_live_at"] - stopped_at}
        # What the pages do (board.js resumes from its last sequence number): the target.
        result.update(result["resume"])
        return result
    finally:
        if clients is not None:
            clients.close()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=5_000)
    parser.add_argument("--sections", type=int, default=1_500)
    arguments = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bedboard-reconnect-"))
    try:
        result = run(arguments.sockets, arguments.sections, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    verdict = "met" if result["live_again"] == arguments.sockets and result["live_again_s"] <= LIVE_AGAIN_LIMIT_S \
        else "missed"
    target = f"all live again within {LIVE_AGAIN_LIMIT_S:g} s: {verdict}"
    sys.stdout.write(json.dumps({**result, "target": target}, indent=1) + "\n")


if __name__ == "__main__":
    main()
