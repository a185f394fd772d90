"""Where a server's time goes during a benchmark window: py-spy samples, summed by layer and by function.

py-spy samples from outside (``--nonblocking``: the server is never paused), so the figures it profiles
are the figures it reports. A sample whose innermost frame is the event loop waiting for I/O is idle time;
shares are of the samples that were not idle.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.markdown import number, table

RATE = 250  # samples a second: enough for a 2 s window, light enough not to move its figures
# The innermost frame while a thread waits: the event loop in select, a driver thread on its queue.
IDLE = ("selectors.py", "asyncio/runners.py", "threading.py", "queue.py")
IDLE_FUNCTIONS = ("_connection_worker_thread (aiosqlite/core.py:59)",)
# First match wins: a frame's file decides its layer.
LAYERS = (
    ("realtime/", "bedboard: live hub and socket"),
    ("app/beds/", "bedboard: beds (service, views, API)"),
    ("app/kit/audit.py", "bedboard: audit chain"),
    ("accounts/", "bedboard: sessions, tokens, permissions"),
    ("app/", "bedboard: other"),
    ("sqlalchemy/", "SQLAlchemy"),
    ("asyncpg/", "database driver (asyncpg)"),
    ("aiosqlite/", "database driver (aiosqlite, sqlite3)"),
    ("sqlite3/", "database driver (aiosqlite, sqlite3)"),
    ("websockets/", "websocket protocol (websockets)"),
    ("uvicorn/protocols/websockets", "uvicorn websocket glue"),
    ("uvicorn/", "uvicorn HTTP"),
    ("httptools/", "uvicorn HTTP"),
    ("starlette/", "Starlette"),
    ("json/", "JSON"),
    ("asyncio/", "asyncio (tasks, queues, transports)"),
)


@dataclass(frozen=True)
class Profile:
    samples: int
    idle: int
    layers: list[tuple[str, int]]
    functions: list[tuple[str, int]]

    def as_json(self) -> dict[str, Any]:
        return {"samples": self.samples, "idle": self.idle, "layers": self.layers, "functions": self.functions}


def available() -> str | None:
    """py-spy beside this Python first: ``make bench`` runs the virtual environment's Python without its
    ``bin`` on PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def _layer(frame: str) -> str:
    location = frame.rsplit("(", 1)[-1]
    for marker, layer in LAYERS:
        if marker in location:
            return layer
    return "other (Python, C extensions)"


def _is_idle(frame: str) -> bool:
    return frame in IDLE_FUNCTIONS or any(marker in frame for marker in IDLE)


def summarise(raw: str, top: int = 12) -> Profile:
    """py-spy's raw output: one line per distinct stack, ``frame;frame;... count``."""
    layers: Counter[str] = Counter()
    functions: Counter[str] = Counter()
    samples = idle = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count, innermost = int(count_text), stack.split(";")[-1]
        samples += count
        if _is_idle(innermost):
            idle += count
            continue
        layers[_layer(innermost)] += count
        functions[innermost.replace("/work/main/", "")] += count
    return Profile(samples, idle, layers.most_common(), functions.most_common(top))


@contextmanager
def recording(pid: int, seconds: float, scratch: Path, name: str, into: dict[str, Any]) -> Iterator[None]:
    """Samples ``pid`` and its worker processes for ``seconds`` while the body runs; the summary lands in
    ``into[name]`` (or the reason there is none)."""
    command = available()
    if command is None:
        into[name] = {"missing": "py-spy is not installed (pip install py-spy)"}
        yield
        return
    output = scratch / f"profile-{name.replace(' ', '-')}.txt"
    spy = subprocess.Popen([command, "record", "--pid", str(pid), "--subprocesses", "--nonblocking",
                            "--rate", str(RATE), "--duration", str(max(1, round(seconds))), "--format", "raw",
                            "--output", str(output)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield
    finally:
        _, error = spy.communicate(timeout=seconds + 30)
        if spy.returncode != 0 or not output.exists():
            into[name] = {"missing": f"py-spy failed: {error.decode(errors='replace').strip()[-200:]}"}
        else:
            into[name] = summarise(output.read_text()).as_json()


@dataclass(frozen=True)
class Profiler:
    """Profiles one server's windows into one dict of results."""

    pid: int
    scratch: Path
    into: dict[str, Any]

    def window(self, name: str, seconds: float) -> AbstractContextManager[None]:
        return recording(self.pid, seconds, self.scratch, name, self.into)


def _share(count: int, busy: int) -> str:
    return f"{100 * count / busy:.1f} %" if busy else "–"


def profile_section(profiles: dict[str, Any]) -> str:
    if not profiles:
        return ""
    parts = ["## Where the server's time goes\n\n"
             "py-spy samples of the server processes during one window of the benchmark named, "
             f"{RATE} a second, without pausing them. *Idle* is the event loop (or a database thread) waiting; "
             "shares are of the busy samples, by the innermost frame's layer, then the busiest functions.\n"]
    for name, found in profiles.items():
        if "missing" in found:
            parts.append(f"\n### {name}\n\nNo profile: {found['missing']}\n")
            continue
        busy = found["samples"] - found["idle"]
        parts.append(f"\n### {name}\n\n{number(found['samples'])} samples, "
                     f"{_share(found['idle'], found['samples'])} idle.\n\n")
        parts.append(table(["layer", "share of busy samples"],
                           ([layer, _share(count, busy)] for layer, count in found["layers"])))
        parts.append("\n" + table(["function (innermost frame)", "share of busy samples"],
                                  ([f"`{function}`", _share(count, busy)] for function, count in found["functions"])))
    return "".join(parts)
