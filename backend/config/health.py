"""``/health/``: is every part the web tier needs answering? JSON, 200 or 503.

django-health-check runs the probes (database, cache, media storage, and the job broker when
one is configured); this module only chooses them and answers JSON with 503 (the status load
balancers and orchestrators expect for "take me out of rotation") instead of the library's
500, whatever the Accept header.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from health_check.views import HealthCheckView


def _checks() -> list:
    checks: list = [
        "health_check.checks.Database",
        "health_check.checks.Cache",
        "health_check.checks.Storage",
    ]
    broker = getattr(settings, "CELERY_BROKER_URL", "") or ""
    if broker.startswith(("redis://", "rediss://")):
        from redis.asyncio import Redis

        checks.append(
            ("health_check.contrib.redis.Redis", {"client_factory": lambda: Redis.from_url(broker)})
        )
    return checks


async def health(request: HttpRequest) -> HttpResponse:
    request.GET = request.GET.copy()
    request.GET["format"] = "json"
    response = await HealthCheckView.as_view(checks=_checks())(request)
    if response.status_code >= 500:
        response.status_code = 503
    return response
