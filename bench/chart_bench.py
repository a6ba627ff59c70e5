"""The chart's API against a static file of the same bytes, on the same production server.

Starts gunicorn (2 sync workers, DEBUG off, a throw-away SQLite database with the curriculum
and its audio) on 127.0.0.1, writes the exact JSON of `GET /api/phonemes/?accent=en-US` as a
static file served by WhiteNoise, then loads both with wrk (installed from Debian when
missing) for the same duration, alternating, and prints requests/s, p50/p99 latency and the
ratio. Goal: the API at least 50 % of the static file. Exits 1 under the goal.

    .venv/bin/python bench/chart_bench.py [--seconds 10] [--connections 20] [--rounds 2]
"""

import argparse
import shutil
import sys
import urllib.request
from pathlib import Path

from _site import ensure_wrk, free_port, manage, prepare, served, site_env, throwaway_dir, wrk

API = "/api/phonemes/?accent=en-US"
STATIC = "/static/bench/chart-en-US.json"


def write_static_copy(env: dict) -> int:
    """The exact bytes the API answers, rendered by the app itself, as a static file."""
    body = manage(
        env,
        "shell",
        "-c",
        "import sys; from django.test import Client; "
        f"sys.stdout.write(Client().get('{API}', HTTP_HOST='127.0.0.1').content.decode())",
    )
    target = Path(env["PHATAM_VAR_DIR"]) / "static" / "bench" / "chart-en-US.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body)
    return len(body.encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()

    binary = ensure_wrk()
    var = throwaway_dir()
    env = site_env(var, workers=options.workers, port=free_port())
    print(f"== preparing a throw-away site in {var}", flush=True)
    prepare(env)
    print(f"payload: {write_static_copy(env)} bytes", flush=True)
    results: dict[str, list[dict]] = {"static": [], "api": []}
    try:
        with served(env) as base:
            for path in (API, STATIC):  # warm both
                urllib.request.urlopen(base + path, timeout=5).read()  # noqa: S310
            for _ in range(options.rounds):
                for name, path in (("static", STATIC), ("api", API)):
                    results[name].append(
                        wrk(
                            binary,
                            base + path,
                            seconds=options.seconds,
                            connections=options.connections,
                        )
                    )
    finally:
        shutil.rmtree(var, ignore_errors=True)

    print(
        f"\ngunicorn {options.workers} sync workers, wrk -t2 -c{options.connections}, "
        f"{options.rounds} x {options.seconds} s each, alternating"
    )
    mean = {}
    for name, rows in results.items():
        mean[name] = sum(row["rps"] for row in rows) / len(rows)
        for row in rows:
            print(
                f"  {name:6} {row['rps']:9.0f} req/s  p50 {row['p50']:>8}  p99 {row['p99']:>8}"
                f"  non-2xx {row['non2xx']}"
            )
    ratio = mean["api"] / mean["static"]
    print(
        f"chart API {mean['api']:.0f} req/s vs static file {mean['static']:.0f} req/s: "
        f"ratio {ratio:.2f} (goal >= 0.50)"
    )
    sys.exit(0 if ratio >= 0.5 else 1)


if __name__ == "__main__":
    main()
