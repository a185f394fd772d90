"""Board clients in their own processes: each opens many sockets, subscribes, and counts what arrives.

The parent drives a process through a pipe: ``connect`` (open the sockets, answer the connect times),
``start`` (count from now), ``stop`` (answer the count and the commit-to-client delays), ``close``.
Delays are the receive time minus the frame's ``committed_at``: the client and the server share a clock.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from bench.common import raise_file_limit

CHANGE_PREFIX = '{"type":"change"'
COMMITTED = '"committed_at":"'
CONNECTS_AT_ONCE = 64
# After a restart every page reconnects within its back-off's first second: far more at once than a first connect.
RECONNECTS_AT_ONCE = 1_000
RECONNECT_TIMEOUT = 300


@dataclass(frozen=True)
class ClientPlan:
    ws_url: str
    origin: str
    cookie: str
    sockets: int
    # Every second socket subscribes to this section type only; the others see everything.
    filtered_type: int


@dataclass
class Counters:
    recording: bool = False
    changes: int = 0
    first_at: float = 0.0
    last_at: float = 0.0
    delays: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Window:
    """What every client received between start and stop."""

    changes: int
    first_at: float
    last_at: float
    delays: list[float]

    @property
    def per_second(self) -> float:
        span = self.last_at - self.first_at
        return self.changes / span if span > 0 else 0.0


def committed_at(frame: str) -> float | None:
    start = frame.find(COMMITTED)
    if start < 0:
        return None
    start += len(COMMITTED)
    return datetime.fromisoformat(frame[start:frame.index('"', start)]).timestamp()


async def _open(plan: ClientPlan, number: int, gate: asyncio.Semaphore,
                resume: tuple[int, str] | None = None) -> tuple[ClientConnection, float, tuple[int, str]]:
    """Open, subscribe (resuming from ``resume``'s sequence number and epoch, as a page does after losing its
    link) and wait for the snapshot or the end of the resume; with the point to resume from next time."""
    filters: dict[str, Any] = {"section_types": [plan.filtered_type]} if number % 2 else {}
    since, epoch = resume or (None, None)
    async with gate:
        began = time.perf_counter()
        socket = await connect(plan.ws_url, origin=plan.origin,  # type: ignore[arg-type]
                               additional_headers={"Cookie": plan.cookie}, compression=None,
                               max_size=None, open_timeout=60, ping_interval=None)
        await socket.send(json.dumps({"type": "subscribe", "filters": filters, "since": since, "epoch": epoch}))
        while True:
            first = await asyncio.wait_for(socket.recv(), 60)
            if isinstance(first, str) and first.startswith(('{"type":"snapshot"', '{"type":"resumed"')):
                head = json.loads(first[:first.index(',"server_time"')] + "}")
                return socket, time.perf_counter() - began, (int(head["seq"]), str(head["epoch"]))


async def _listen(socket: ClientConnection, counters: Counters) -> None:
    async for frame in socket:
        if counters.recording and isinstance(frame, str) and frame.startswith(CHANGE_PREFIX):
            now = time.time()
            counters.changes += 1
            counters.first_at = counters.first_at or now
            counters.last_at = now
            stamp = committed_at(frame)
            if stamp is not None:
                counters.delays.append(now - stamp)


async def _serve(plan: ClientPlan, pipe: Connection) -> None:
    loop = asyncio.get_running_loop()
    counters = Counters()
    sockets: list[ClientConnection] = []
    listeners: list[asyncio.Task[None]] = []
    resume_from: list[tuple[int, str] | None] = []
    while True:
        command = await loop.run_in_executor(None, pipe.recv)
        if command == "connect":
            gate = asyncio.Semaphore(CONNECTS_AT_ONCE)
            opened = await asyncio.gather(*(_open(plan, n, gate) for n in range(plan.sockets)),
                                          return_exceptions=True)
            resume_from = [item[2] if isinstance(item, tuple) else None for item in opened]
            times = [item[1] for item in opened if isinstance(item, tuple)]
            sockets = [item[0] for item in opened if isinstance(item, tuple)]
            failures = [repr(item) for item in opened if isinstance(item, BaseException)]
            listeners = [asyncio.create_task(_listen(socket, counters)) for socket in sockets]
            pipe.send({"connect_s": times, "failures": failures[:3], "failed": len(failures)})
        elif isinstance(command, tuple) and command[0] == "reconnect":
            # The server restarted (its sockets are closed): every board opens again at once, as pages do.
            for task in listeners:
                task.cancel()
            await asyncio.gather(*(socket.close() for socket in sockets), return_exceptions=True)
            again = replace(plan, ws_url=command[1], origin=command[2])
            gate = asyncio.Semaphore(RECONNECTS_AT_ONCE)
            # command[3]: resume as the pages do (since and epoch of what each had), or ask for snapshots.
            opened = await asyncio.gather(*(_open(again, n, gate, resume_from[n] if command[3] else None)
                                            for n in range(plan.sockets)), return_exceptions=True)
            sockets = [item[0] for item in opened if isinstance(item, tuple)]
            failures = [repr(item) for item in opened if isinstance(item, BaseException)]
            listeners = [asyncio.create_task(_listen(socket, counters)) for socket in sockets]
            pipe.send({"live": len(sockets), "last_live_at": time.time(), "failures": failures[:3],
                       "failed": len(failures)})
        elif command == "start":
            counters.changes, counters.first_at, counters.last_at, counters.delays = 0, 0.0, 0.0, []
            counters.recording = True
            pipe.send("started")
        elif command == "stop":
            counters.recording = False
            pipe.send({"changes": counters.changes, "first_at": counters.first_at, "last_at": counters.last_at,
                       "delays": counters.delays})
        else:
            for task in listeners:
                task.cancel()
            await asyncio.gather(*(socket.close() for socket in sockets), return_exceptions=True)
            pipe.send("closed")
            return


def client_main(plan: ClientPlan, pipe: Connection) -> None:
    raise_file_limit()
    asyncio.run(_serve(plan, pipe))


class ClientFleet:
    """Several client processes sharing the sockets, so that the client is not the bottleneck."""

    def __init__(self, plans: list[ClientPlan]) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipes: list[Connection] = []
        self.processes = []
        for plan in plans:
            parent, child = context.Pipe()
            process = context.Process(target=client_main, args=(plan, child), daemon=True)
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    def _all(self, command: str, timeout: float) -> list[Any]:
        for pipe in self.pipes:
            pipe.send(command)
        answers = []
        for pipe in self.pipes:
            if not pipe.poll(timeout):
                raise TimeoutError(f"a client process did not answer {command!r} within {timeout} s")
            answers.append(pipe.recv())
        return answers

    def connect(self) -> dict[str, Any]:
        answers = self._all("connect", 300)
        times = [t for answer in answers for t in answer["connect_s"]]
        return {"connect_s": times, "failed": sum(answer["failed"] for answer in answers),
                "failures": [f for answer in answers for f in answer["failures"]][:3]}

    def reconnect(self, ws_url: str, origin: str, *, resume: bool) -> dict[str, Any]:
        """Every socket opened again on ``ws_url`` at once, resuming or asking for a snapshot; when the last one
        was live again (time.time())."""
        for pipe in self.pipes:
            pipe.send(("reconnect", ws_url, origin, resume))
        answers = []
        for pipe in self.pipes:
            if not pipe.poll(RECONNECT_TIMEOUT):
                raise TimeoutError(f"a client process was not live again within {RECONNECT_TIMEOUT} s")
            answers.append(pipe.recv())
        return {"live": sum(answer["live"] for answer in answers),
                "last_live_at": max(answer["last_live_at"] for answer in answers),
                "failed": sum(answer["failed"] for answer in answers),
                "failures": [f for answer in answers for f in answer["failures"]][:3]}

    def start(self) -> None:
        self._all("start", 30)

    def stop(self) -> Window:
        answers = self._all("stop", 60)
        firsts = [answer["first_at"] for answer in answers if answer["first_at"]]
        return Window(changes=sum(answer["changes"] for answer in answers), first_at=min(firsts, default=0.0),
                      last_at=max(answer["last_at"] for answer in answers),
                      delays=[delay for answer in answers for delay in answer["delays"]])

    def close(self) -> None:
        try:
            self._all("close", 60)
        finally:
            for process in self.processes:
                process.join(timeout=10)
                if process.is_alive():
                    process.kill()


def fleet(ws_url: str, origin: str, cookie: str, sockets: int, filtered_type: int, processes: int) -> ClientFleet:
    shares = [sockets // processes + (1 if n < sockets % processes else 0) for n in range(processes)]
    return ClientFleet([ClientPlan(ws_url, origin, cookie, share, filtered_type) for share in shares if share])
