"""Running test code in real threads, all released at once (for concurrency tests)."""

import threading

from django.db import connections


def run_in_threads(target, count: int) -> tuple[list, list[BaseException]]:
    """Start ``count`` threads at once on ``target``; their results and errors. Each thread
    closes its own database connections."""
    barrier = threading.Barrier(count)
    results: list = []
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait()
            results.append(target())
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
