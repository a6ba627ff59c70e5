"""Load tests against the production server on 127.0.0.1, on PostgreSQL.

1. Plays: N play events (default 2,000) sent at once through the HTTP API
   (`POST /api/audio/<id>/plays/`, spread over the chart's files); every one must be counted
   (lost = sent - counted, goal 0).
2. Soak: mixed traffic for a while (default 120 s): the chart, a phoneme's detail, media with
   byte ranges and plays, by wrk; no 5xx, and the workers' memory may grow by at most
   --memory-bound MB each.

Prints requests/s, p50/p99 latency and the ratios; exits 1 when a goal is missed. Creates and
drops its own database (`phatam_bench_<random>`) on the PostgreSQL server of --pg.

    .venv/bin/python bench/load_bench.py [--plays 2000] [--soak-seconds 120] [--workers 3]
"""

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import aiohttp
import psycopg
from _site import (
    ensure_wrk,
    free_port,
    manage,
    prepare,
    rss_mb,
    served,
    site_env,
    throwaway_dir,
    worker_pids,
    wrk,
)

SOAK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  local item = paths[(i %% #paths) + 1]
  return wrk.format(item[1], item[2], item[3], nil)
end
"""


def counted_plays(env: dict) -> int:
    out = manage(
        env,
        "shell",
        "-c",
        "from django.db.models import Sum; from apps.curriculum.models import AudioCache; "
        "print(AudioCache.objects.aggregate(n=Sum('usage_count'))['n'] or 0)",
    )
    return int(out.strip().splitlines()[-1])


async def send_plays(base: str, ids: list[int], count: int) -> tuple[list[float], dict]:
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def one(index: int) -> None:
            url = f"{base}/api/audio/{ids[index % len(ids)]}/plays/"
            started = time.perf_counter()
            try:
                async with session.post(url) as response:
                    await response.read()
                    statuses[response.status] = statuses.get(response.status, 0) + 1
            except aiohttp.ClientError as exc:
                statuses[type(exc).__name__] = statuses.get(type(exc).__name__, 0) + 1
            latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(one(index) for index in range(count)))
    return latencies, statuses


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def chart_files(base: str) -> tuple[list[int], list[str], int]:
    with urllib.request.urlopen(f"{base}/api/phonemes/?accent=en-US", timeout=10) as answer:  # noqa: S310
        phonemes = json.load(answer)
    audio = [p["audio"] for p in phonemes if p["audio"]]
    return [a["audio_source_id"] for a in audio], [a["url"] for a in audio], phonemes[0]["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plays", type=int, default=2000)
    parser.add_argument("--soak-seconds", type=int, default=120)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--memory-bound", type=float, default=30.0, help="MB per worker")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    options = parser.parse_args()

    binary = ensure_wrk()
    var = throwaway_dir()
    name = f"phatam_bench_{uuid.uuid4().hex[:8]}"
    env = site_env(
        var,
        workers=options.workers,
        port=free_port(),
        DATABASE_URL=f"{options.pg}/{name}",
        PHATAM_PLAYS_RATE="1000000/minute",  # one client on loopback sends everything
        DB_CONN_MAX_AGE="60",
        WEB_MAX_REQUESTS="0",  # no recycling: the soak measures real memory growth
    )
    failures = []
    try:
        print(f"== preparing a throw-away site on PostgreSQL database {name}", flush=True)
        prepare(env)
        with served(env) as base:
            ids, urls, first_id = chart_files(base)
            print(f"{len(ids)} audio files on the chart", flush=True)

            before = counted_plays(env)
            started = time.perf_counter()
            latencies, statuses = asyncio.run(send_plays(base, ids, options.plays))
            elapsed = time.perf_counter() - started
            counted = counted_plays(env) - before
            lost = options.plays - counted
            print(
                f"\nplays: {options.plays} sent at once in {elapsed:.2f} s "
                f"({options.plays / elapsed:.0f} req/s), answers {statuses}, "
                f"p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
                f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms; "
                f"counted {counted}, lost {lost} (goal 0)"
            )
            if lost or set(statuses) != {200}:
                failures.append("plays lost or refused")

            if options.soak_seconds:
                failures += soak(binary, env, base, ids, urls, first_id, options)
    finally:
        shutil.rmtree(var, ignore_errors=True)
        with psycopg.connect(f"{options.pg}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if failures:
        print("FAILED: " + "; ".join(failures))
        sys.exit(1)
    print("all goals met")


def soak(binary, env, base, ids, urls, first_id, options) -> list[str]:
    media = [url if url.startswith("http") else base + url for url in urls[:8]]
    requests = [
        ("GET", "/api/phonemes/?accent=en-US", ""),
        ("GET", "/api/phonemes/?accent=en-GB", ""),
        ("GET", f"/api/phonemes/{first_id}/?accent=en-GB", ""),
        *(("GET", url.removeprefix(base), "Range: bytes=0-1023") for url in media),
        ("POST", f"/api/audio/{ids[0]}/plays/", ""),
    ]
    lua_items = ", ".join(
        "{"
        + f'"{method}", "{path}", '
        + ("{}" if not header else '{["Range"] = "' + header.split(": ")[1] + '"}')
        + "}"
        for method, path, header in requests
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(SOAK_SCRIPT % lua_items)
    # Warm every worker up, then take the memory baseline.
    wrk(binary, base + "/", seconds=5, connections=options.connections, script=script.name)
    pids = worker_pids(env)
    baseline = {pid: rss_mb(pid) for pid in pids}
    result = wrk(
        binary,
        base + "/",
        seconds=options.soak_seconds,
        connections=options.connections,
        script=script.name,
    )
    after = {pid: rss_mb(pid) for pid in worker_pids(env)}
    Path(script.name).unlink()
    growth = [after[pid] - baseline[pid] for pid in baseline if pid in after]
    recycled = len(set(baseline) - set(after))
    print(
        f"\nsoak: {options.soak_seconds} s of mixed traffic ({len(requests)} kinds of request), "
        f"{result['requests']} requests, {result['rps']:.0f} req/s, p50 {result['p50']}, "
        f"p99 {result['p99']}, non-2xx {result['non2xx']}, socket errors "
        f"{result['socket_errors']}; worker memory "
        f"{statistics.mean(baseline.values()):.0f} MB -> growth max "
        f"{max(growth, default=0):.1f} MB (bound {options.memory_bound:g} MB)"
        + (f", {recycled} worker(s) recycled by max_requests" if recycled else "")
    )
    failures = []
    if result["non2xx"]:
        failures.append("non-2xx answers in the soak")
    if max(growth, default=0) > options.memory_bound:
        failures.append("worker memory grew past the bound")
    return failures


if __name__ == "__main__":
    main()
