"""What the load benchmarks share: a throw-away PhatAm site served by gunicorn on 127.0.0.1,
and wrk (installed from Debian when missing) with its numbers parsed."""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BACKEND = REPO / "backend"
PYTHON = REPO / ".venv" / "bin" / "python"
GUNICORN = REPO / ".venv" / "bin" / "gunicorn"


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("== installing wrk (Debian)", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk") or "wrk"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_env(var: str, *, workers: int, port: int, **extra: str) -> dict:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "PHATAM_VAR_DIR": var,
        "PHATAM_ONLINE_TTS": "0",
        "WEB_CONCURRENCY": str(workers),
        "WEB_ACCESS_LOG": "",
        "LOG_LEVEL": "WARNING",
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    env.update(extra)
    return env


def manage(env: dict, *args: str) -> str:
    return subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=BACKEND,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def prepare(env: dict, *, words: bool = False) -> None:
    """Database, curriculum, audio (phonemes; words too with ``words``), static files."""
    manage(env, "ensure_database")
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "seed_curriculum")
    manage(env, "generate_audio", *([] if words else ["--no-words"]))
    manage(env, "collectstatic", "--no-input", "-v0")


@contextlib.contextmanager
def served(env: dict) -> Iterator[str]:
    """gunicorn running the site; yields its base URL and stops it afterwards."""
    with gunicorn(env) as (base, _):
        yield base


@contextlib.contextmanager
def gunicorn(
    env: dict, app: str = "config.wsgi", *, pythonpath: str = "", ready: str = "/health/"
) -> Iterator[tuple[str, int]]:
    """gunicorn (config/gunicorn.py) running ``app``; yields its base URL and master pid."""
    extra = ["--pythonpath", pythonpath] if pythonpath else []
    server = subprocess.Popen(
        [str(GUNICORN), app, "-c", "config/gunicorn.py", *extra],
        cwd=BACKEND,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        wait_ready(base, path=ready)
        yield base, server.pid
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def children(pid: int) -> list[int]:
    """The worker processes of a gunicorn master."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(line) for line in out.stdout.split()]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used (from /proc/<pid>/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / ticks


def pss_mb(pid: int) -> float:
    """Proportional set size: the process's own pages plus its share of the shared ones."""
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    return 0.0


def worker_pids(env: dict) -> list[int]:
    """gunicorn's worker processes (children of the master) for the site on env's port."""
    out = subprocess.run(["ps", "-eo", "pid,ppid,args"], capture_output=True, text=True).stdout
    rows = [line.split(None, 2) for line in out.splitlines()[1:]]
    masters = {pid for pid, _, args in rows if "gunicorn" in args and "config.wsgi" in args}
    return [int(pid) for pid, ppid, args in rows if ppid in masters and "gunicorn" in args]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def wait_ready(base: str, seconds: float = 60, *, path: str = "/health/") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + path, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not become ready")


def wrk(
    binary: str,
    url: str,
    *,
    seconds: int,
    connections: int,
    script: str | None = None,
    headers: tuple[str, ...] = (),
) -> dict:
    """Run wrk and return requests/s, p50/p99 latency, non-2xx/3xx count and socket errors."""
    command = [binary, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        command += ["-s", script]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.MULTILINE))
    maximum = re.search(r"^\s+Latency\s+\S+\s+\S+\s+(\S+)", out, re.MULTILINE)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50": latency.get("50"),
        "p99": latency.get("99"),
        "max": maximum.group(1) if maximum else None,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "none",
    }


def throwaway_dir() -> str:
    return tempfile.mkdtemp(prefix="phatam-bench-")
