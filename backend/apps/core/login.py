"""The admin login's throttle (django-axes): who a client is, and the page a locked-out
client gets instead of the login form."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def client_address(request: HttpRequest) -> str:
    """The client's address, told apart the way the API's throttles do it: ``REMOTE_ADDR``
    unless ``NUM_PROXIES`` trusted proxies append to ``X-Forwarded-For`` (a forged header
    must not move a locked-out client to a fresh address)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return remote
    addresses = [address.strip() for address in forwarded.split(",")]
    return addresses[-min(proxies, len(addresses))] or remote


def locked_out_response(request: HttpRequest, original_response=None, credentials=None):
    """429 with a short page that says how long the lock lasts, and ``Retry-After``."""
    minutes = settings.PHATAM_LOGIN_COOLOFF_MINUTES
    body = render_to_string(
        "core/locked_out.html",
        {"minutes": minutes, "limit": settings.AXES_FAILURE_LIMIT},
        request=request,
    )
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
