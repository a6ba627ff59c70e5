"""The chart's API against a bare WSGI app returning the same bytes, same gunicorn settings.

Starts two gunicorns side by side (config/gunicorn.py, 2 sync workers, DEBUG off, worker
recycling off so that the CPU count covers the same processes): PhatAm on a throw-away SQLite
site with the curriculum and its audio, and bench/bare_wsgi.py answering the exact bytes of
`GET /api/phonemes/?accent=en-US`. wrk (installed from Debian when missing) loads them in
turn: the bare app, the API, the API with `Accept-Encoding: br` and the API's 304. Prints
requests/s, p50/p99, server CPU per request (the workers' utime + stime from /proc, less noisy
than req/s on a shared machine), the workers' memory at rest, and the ratios. Goal: the API
at >= 0.8x the bare app (req/s). Exits 1 under the goal.

    .venv/bin/python bench/chart_bench.py [--seconds 5] [--connections 20] [--rounds 2]

`--recycle N` instead serves the API with workers recycled every N requests (gunicorn's
max_requests), with and without preload_app, and prints p99 and the slowest answer of each.
"""

import argparse
import shutil
import signal
import sys
import urllib.request
from pathlib import Path

from _site import (
    REPO,
    children,
    cpu_seconds,
    ensure_wrk,
    free_port,
    gunicorn,
    manage,
    prepare,
    pss_mb,
    rss_mb,
    site_env,
    throwaway_dir,
    wrk,
)

API = "/api/phonemes/?accent=en-US"


def api_answers(env: dict, target: Path) -> tuple[Path, Path]:
    """The exact bytes the API answers, plain and with Brotli, written under ``target``."""
    plain, packed = target / "bare-body.json", target / "bare-body.json.br"
    manage(
        env,
        "shell",
        "--no-imports",  # Django 5.2's shell would print what it imported first
        "-c",
        "from pathlib import Path; from django.test import Client; "
        "c = Client(HTTP_HOST='127.0.0.1'); "
        f"Path('{plain}').write_bytes(c.get('{API}').content); "
        f"Path('{packed}').write_bytes("
        f"c.get('{API}', headers={{'Accept-Encoding': 'br'}}).content)",
    )
    return plain, packed


def load(binary: str, url: str, master: int, options, headers: tuple[str, ...] = ()) -> dict:
    workers = children(master)
    before = cpu_seconds(workers)
    row = wrk(
        binary, url, seconds=options.seconds, connections=options.connections, headers=headers
    )
    row["cpu_ms"] = 1000 * (cpu_seconds(workers) - before) / max(1, row["requests"])
    return row


def memory(master: int) -> str:
    workers = children(master)
    rss = sum(rss_mb(pid) for pid in workers) / len(workers)
    pss = sum(pss_mb(pid) for pid in workers) / len(workers)
    return f"RSS {rss:.0f} MB, PSS {pss:.0f} MB per worker"


def ratio_run(options, binary: str, env: dict, bare_env: dict) -> int:
    results: dict[str, list[dict]] = {}
    with (
        gunicorn(env) as (base, master),
        gunicorn(bare_env, "bare_wsgi:application", pythonpath=str(REPO / "bench"), ready="/") as (
            bare,
            bare_master,
        ),
    ):
        urllib.request.urlopen(base + API, timeout=5).read()  # noqa: S310 (the cache, warm)
        print(f"at rest: PhatAm {memory(master)}; bare app {memory(bare_master)}")
        etag = urllib.request.urlopen(base + API, timeout=5).headers["ETag"]  # noqa: S310
        runs = (
            ("bare", bare + API, bare_master, ()),
            ("api", base + API, master, ()),
            ("bare br", bare + API, bare_master, ("Accept-Encoding: br",)),
            ("api br", base + API, master, ("Accept-Encoding: br",)),
            ("api 304", base + API, master, (f"If-None-Match: {etag}",)),
        )
        for _ in range(options.rounds):
            for name, url, pid, headers in runs:
                results.setdefault(name, []).append(load(binary, url, pid, options, headers))
    print(
        f"\ngunicorn {options.workers} sync workers (same config), wrk -t2 "
        f"-c{options.connections}, {options.rounds} x {options.seconds} s each, alternating"
    )
    mean = {}
    for name, rows in results.items():
        mean[name] = sum(row["rps"] for row in rows) / len(rows)
        cpu = sum(row["cpu_ms"] for row in rows) / len(rows)
        for row in rows:
            print(
                f"  {name:8} {row['rps']:8.0f} req/s  p50 {row['p50']:>8}  p99 {row['p99']:>8}"
                f"  cpu {row['cpu_ms']:.3f} ms/req  non-2xx {row['non2xx']}"
            )
        mean[name + " cpu"] = cpu
    ratio = mean["api"] / mean["bare"]
    ratio_br = mean["api br"] / mean["bare br"]
    print(
        f"chart API {mean['api']:.0f} req/s vs bare WSGI app {mean['bare']:.0f} req/s: "
        f"ratio {ratio:.2f}; Brotli {ratio_br:.2f} (goal >= 0.80)\n"
        f"server CPU per request: plain {mean['api cpu']:.3f} vs {mean['bare cpu']:.3f} ms "
        f"(ratio {mean['bare cpu'] / mean['api cpu']:.2f}), Brotli {mean['api br cpu']:.3f} vs "
        f"{mean['bare br cpu']:.3f} ms (ratio {mean['bare br cpu'] / mean['api br cpu']:.2f}), "
        f"304 {mean['api 304 cpu']:.3f} ms"
    )
    return 0 if ratio >= 0.8 else 1


def recycle_run(options, binary: str, env: dict) -> int:
    print(f"\nworkers recycled every {options.recycle} requests, wrk -c{options.connections}")
    for preload in ("0", "1"):
        run_env = {**env, "WEB_MAX_REQUESTS": str(options.recycle), "WEB_PRELOAD": preload}
        with gunicorn(run_env) as (base, _):
            urllib.request.urlopen(base + API, timeout=5).read()  # noqa: S310
            row = wrk(binary, base + API, seconds=options.seconds, connections=options.connections)
        print(
            f"  preload_app={preload == '1'!s:5} {row['rps']:8.0f} req/s  p50 {row['p50']:>8}"
            f"  p99 {row['p99']:>8}  max {row['max']:>8}  socket errors {row['socket_errors']}"
        )
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--recycle", type=int, default=0, help="max_requests (0: ratio run)")
    options = parser.parse_args()
    # A `timeout` around the benchmark still stops its servers (the finally blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    binary = ensure_wrk()
    var = throwaway_dir()
    env = site_env(var, workers=options.workers, port=free_port(), WEB_MAX_REQUESTS="0")
    print(f"== preparing a throw-away site in {var}", flush=True)
    prepare(env)
    try:
        plain, packed = api_answers(env, Path(var))
        print(
            f"payload: {plain.stat().st_size} bytes, {packed.stat().st_size} with Brotli",
            flush=True,
        )
        if options.recycle:
            sys.exit(recycle_run(options, binary, env))
        bare_env = {
            **env,
            "PORT": str(free_port()),
            "BARE_BODY_FILE": str(plain),
            "BARE_BR_FILE": str(packed),
        }
        sys.exit(ratio_run(options, binary, env, bare_env))
    finally:
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
