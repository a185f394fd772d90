"""A throwaway PostgreSQL cluster made with Debian's initdb/pg_ctl, for the test session only."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
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


def start_cluster(*, durable: bool = False) -> PostgresCluster | None:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        return None
    root = Path(tempfile.mkdtemp(prefix="bedboard-pg-"))
    root.chmod(0o755)
    cluster = PostgresCluster(bin_dir=bin_dir, root=root, port=free_port(), durable=durable)
    cluster.start()
    return cluster
