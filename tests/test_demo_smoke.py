"""`make demo` end to end: migrate, load the demo data twice, serve, and answer on / and /healthz.

Runs the installed `familiebro` command in subprocesses against a fresh SQLite database in a
temporary directory, as someone trying the demo on a fresh machine would.
"""

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

FAMILIEBRO = Path(sys.executable).with_name("familiebro")
DEMO_TABLES = (
    "core_municipality",
    "core_organisation",
    "core_serviceunit",
    "core_user",
    "core_membership",
    "core_person",
    "core_guardianrelation",
    "privacy_auditevent",
)
SERVER_START_SECONDS = 60


def demo_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return env | {"FAMILIEBRO_MODE": "demo", "FAMILIEBRO_VAR_DIR": str(var_dir)}


def familiebro(*args: str, env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(
        [str(FAMILIEBRO), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"familiebro {' '.join(args)} failed:\n{done.stderr}"
    return done.stdout


def row_counts(database: Path) -> dict[str, int]:
    # The table names are the constants above, never input.
    with sqlite3.connect(database) as db:
        return {
            table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in DEMO_TABLES
        }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_the_demo_migrates_loads_twice_and_serves(tmp_path):
    env = demo_env(tmp_path)
    familiebro("migrate", "--noinput", env=env, cwd=tmp_path)

    assert "Demo data loaded" in familiebro("demo-data", env=env, cwd=tmp_path)
    database = tmp_path / "familiebro.sqlite3"
    loaded = row_counts(database)
    assert loaded["core_person"] > 0

    second = familiebro("demo-data", env=env, cwd=tmp_path)
    # That the second run is cheap is counted in queries, not timed: tests/core/test_demo_data.py.
    assert "nothing to create" in second
    assert row_counts(database) == loaded

    port = free_port()
    log = tmp_path / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(FAMILIEBRO), "runserver", "--noreload", f"127.0.0.1:{port}"],
            env=env,
            cwd=tmp_path,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_ready(f"http://127.0.0.1:{port}", server, log)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def wait_until_ready(base_url: str, server: subprocess.Popen, log: Path) -> None:
    """Poll until the front page answers 200 and /healthz reports ok."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    last = "no answer"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(
                f"The server stopped (exit {server.returncode}):\n{log.read_text()}"
            )
        try:
            front_status, _ = get(f"{base_url}/")
            health_status, health_body = get(f"{base_url}/healthz")
        except OSError:  # not listening yet: refused, reset or timed out
            time.sleep(0.2)
            continue
        if front_status == 200 and health_status == 200:
            assert json.loads(health_body)["status"] == "ok", health_body
            return
        last = f"/ answered {front_status}, /healthz answered {health_status}: {health_body!r}"
        time.sleep(0.2)
    raise AssertionError(
        f"The demo was not ready within {SERVER_START_SECONDS} s ({last}):\n{log.read_text()}"
    )
