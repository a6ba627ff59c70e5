"""Background work (audio generation), behind one small interface.

The embedded default, :class:`InProcessJobs`, runs a job at once in the calling process and
returns its result, so a learner who asks for missing audio gets it in the same request. A
worker backend (a queue) would return ``None`` from :meth:`submit`, enqueue the job after the
transaction commits, and the caller answers with its next fallback meanwhile. Job functions
take only plain values (ids, strings), so they can be sent to a worker.
"""

from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


class InProcessJobs:
    def submit(self, func: Callable[..., Any], *args, **kwargs) -> Any:
        """Run ``func`` now and return its result (exceptions propagate)."""
        return func(*args, **kwargs)


@cache
def job_backend() -> InProcessJobs:
    return import_string(settings.PHATAM_JOBS_BACKEND)()
