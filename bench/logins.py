"""Benchmark 5, logins under load: 20 people log in at once (argon2id, RFC 9106, 64 MiB) while 1,000
board sockets receive 10 changes a second; the board's commit-to-client p99 with and without the storm."""

from __future__ import annotations

import threading
import time
from typing import Any

from bench.clients import ClientFleet
from bench.common import median, percentiles_ms
from bench.drivers import Load, run_driver
from bench.fanout import STEADY_RATE, Target

LOGINS = 20
SECONDS = 4.0


def measure(target: Target, url: str, usernames: list[str], clients: ClientFleet, sockets: int,
            runs: int) -> dict[str, Any]:
    """On board sockets already connected (the fan-out's own, at 1,000 sockets: connecting them again
    would cost a fifth of this step)."""
    quiet, stormy, logins, storm_seconds, failures, statuses = [], [], [], [], 0, set()
    for _ in range(runs):
        clients.start()
        run_driver(target.driver, *target.driver_arguments, Load(STEADY_RATE, SECONDS, 1))
        time.sleep(0.7)
        quiet.append(percentiles_ms(clients.stop().delays)["p99"])

        clients.start()
        changes = threading.Thread(target=run_driver,
                                   args=(target.driver, *target.driver_arguments, Load(STEADY_RATE, SECONDS, 1)))
        changes.start()
        time.sleep(1.0)  # the driver process is up and changes are flowing
        storm = run_driver("logins", url, usernames[:LOGINS], Load(0.0, 30.0, LOGINS))
        changes.join(timeout=60)
        time.sleep(0.7)
        stormy.append(percentiles_ms(clients.stop().delays)["p99"])
        logins.append(percentiles_ms(storm["latencies"]))
        storm_seconds.append(storm["elapsed"])
        failures += storm["failures"]
        statuses.update(storm["statuses"])
    return {"sockets": sockets, "runs": runs, "logins": LOGINS,
            "failed": failures, "failed_statuses": sorted(statuses),
            "login_p50": median([run["p50"] for run in logins]), "login_p99": median([run["p99"] for run in logins]),
            "storm_s": median(storm_seconds), "board_p99_quiet": median(quiet), "board_p99_storm": median(stormy)}
