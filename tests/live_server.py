"""A real uvicorn server in its own process, on a free loopback port, for browser and socket tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.postgres_cluster import free_port

TEST_SECRET = "live-server-test-secret-" + "s" * 32


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        stop_process(self.process)


def stop_process(process: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """Ask a server to stop (so it can write its coverage data), then insist."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 30.0) -> bool:
    """True once ``/health`` answers 200; raises if the process died first; False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    return False


def server_environment(database_url: str, var_dir: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "BEDBOARD_DATABASE_URL": database_url,
        "BEDBOARD_VAR_DIR": str(var_dir),
        "BEDBOARD_SECRET_KEY": TEST_SECRET,
        "BEDBOARD_PASSWORD_PROFILE": "fast-insecure-for-tests",
        "BEDBOARD_BASE_URL": f"http://127.0.0.1:{port}",
    }


def start_server(database_url: str, var_dir: Path, timeout: float = 30.0, port: int | None = None,
                 **settings: str) -> LiveServer:
    port = port or free_port()
    log = var_dir / f"uvicorn-{port}.log"
    command = [sys.executable, "-m", "uvicorn", "app.main:app_from_environment", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--ws", "websockets-sansio", "--ws-max-size", "65536",
               "--no-access-log"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env={**server_environment(database_url, var_dir, port), **settings},
                                   stdout=output, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", process, log)
    if wait_until_healthy(server.url, process, log, timeout):
        return server
    server.stop()
    raise RuntimeError(f"uvicorn did not answer within {timeout} s:\n{log.read_text()}")
