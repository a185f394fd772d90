"""A throwaway PostgreSQL cluster made with Debian's initdb/pg_ctl, for the test session only."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ENABLE_HINT = (
    "PostgreSQL tests need Debian's postgresql package (initdb and pg_ctl under "
    "/usr/lib/postgresql/*/bin): apt-get install postgresql. CI sets BEDBOARD_REQUIRE_POSTGRES=1, "
    "under which their absence fails the run."
)


def find_bin_dir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    for candidate in reversed(candidates):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresCluster:
    bin_dir: Path
    root: Path
    port: int
    durable: bool = False

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, statement: str, database: str = "postgres") -> None:
        subprocess.run([str(self.bin_dir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
                        self.dsn(database), "-c", statement], check=True, capture_output=True, timeout=60)

    def _run(self, *args: str) -> None:
        # initdb refuses to run as root; CI runs as root, so the cluster belongs to the postgres user.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        if os.geteuid() == 0:
            postgres = pwd.getpwnam("postgres")
            os.chown(self.root, postgres.pw_uid, postgres.pw_gid)
        self._run(str(self.bin_dir / "initdb"), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  *([] if self.durable else ["--no-sync"]), "-D", str(self.data_dir))
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=300 "
        # Tests throw the cluster away, and durability costs seconds per run; benchmarks measure a real
        # deployment's settings.
        options += ("-c fsync=on -c synchronous_commit=on -c full_page_writes=on" if self.durable
                    else "-c fsync=off -c full_page_writes=off")
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-o", options,
                  "-l", str(self.root / "server.log"), "-w", "-t", "60", "start")

    def version(self) -> str:
        return subprocess.run([str(self.bin_dir / "postgres"), "--version"], capture_output=True,
                              text=True).stdout.strip()

    def stop(self) -> None:
        try:
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


class DatabaseCopies:
    """Copies of a template database, made one test ahead and dropped after use, off the test's path.

    ``CREATE DATABASE ... TEMPLATE`` took 170-350 ms and the drop 20-60 ms (psql, loaded 2-core machine,
    migrations up to 0011), about 200 s of the 611 PostgreSQL tests' wall time when done inline. A single
    background thread makes the next copy while the current test runs (the work is PostgreSQL's, in
    another process) and drops the used ones; one thread, so the template never has two readers at once.
    """

    def __init__(self, cluster: PostgresCluster, template: str, prefix: str, ahead: int = 1) -> None:
        self._cluster, self._template, self._prefix, self._ahead = cluster, template, prefix, ahead
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="database-copies")
        self._ready: deque[Future[str]] = deque()
        self._drops: list[Future[None]] = []
        self._numbers = iter(range(1, 1_000_000_000))

    def _create(self, name: str) -> str:
        self._cluster.execute(f"CREATE DATABASE {name} TEMPLATE {self._template} STRATEGY FILE_COPY")
        return name

    def _prepare(self) -> None:
        name = f"{self._prefix}_{next(self._numbers)}"
        self._ready.append(self._thread.submit(self._create, name))

    def take(self) -> str:
        """A fresh copy of the template, nobody else's."""
        while len(self._ready) <= self._ahead:
            self._prepare()
        name = self._ready.popleft().result()
        self._prepare()
        return name

    def give_back(self, name: str) -> None:
        self._drops.append(self._thread.submit(self._cluster.execute, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        # Raise a failed drop at the next test rather than at the end of the session.
        for drop in [drop for drop in self._drops if drop.done()]:
            self._drops.remove(drop)
            drop.result()

    def close(self) -> None:
        """Wait for the pending work (a failed drop raises) and drop the copies nobody took."""
        for ready in self._ready:
            self.give_back(ready.result())
        self._ready.clear()
        self._thread.shutdown(wait=True)
        for drop in self._drops:
            drop.result()


def start_cluster(*, durable: bool = False) -> PostgresCluster | None:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        return None
    root = Path(tempfile.mkdtemp(prefix="bedboard-pg-"))
    root.chmod(0o755)
    cluster = PostgresCluster(bin_dir=bin_dir, root=root, port=free_port(), durable=durable)
    cluster.start()
    return cluster
