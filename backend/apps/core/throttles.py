"""Per-user rate limits (DRF's scoped throttles: the rate of each scope is a setting), with
the answer a learner reads in Vietnamese."""

from rest_framework.exceptions import Throttled
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import ScopedRateThrottle


class TooManyRequests(Throttled):
    """429 with ``Retry-After`` and a message in Vietnamese (the English in brackets)."""

    default_detail = "Bạn gửi quá nhiều yêu cầu (too many requests)."
    # DRF joins this to the detail with a space of its own.
    extra_detail_singular = extra_detail_plural = "Hãy thử lại sau {wait} giây."


class ScopedWriteThrottle(ScopedRateThrottle):
    """:class:`ScopedRateThrottle` that counts writes only (``POST``, ``PUT``, ``PATCH``,
    ``DELETE``): reading one's own history stays free on a view that also takes uploads."""

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)
