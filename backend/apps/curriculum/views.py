import hashlib
import json
from pathlib import Path

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.csrf import ensure_csrf_cookie

from apps.curriculum.audio.voices import accents
from apps.curriculum.selectors import chart_sections, phonemes_for_chart


@ensure_csrf_cookie
def chart(request):
    """The interactive phonemic chart. The phonemes are rendered here; which audio each one
    plays comes from the API (/api/phonemes/), so the page and the API agree."""
    return render(
        request,
        "curriculum/chart.html",
        {"sections": chart_sections(list(phonemes_for_chart())), "accents": accents()},
    )


# The app shell: what the service worker keeps so that the chart opens with no network.
SHELL_STATIC = (
    "curriculum/chart.css",
    "curriculum/chart.js",
    "curriculum/offline.js",
    "curriculum/icons/icon-192.png",
    "curriculum/icons/favicon.ico",
    "practice/practice.css",
    "practice/offline_drills.js",
)
ICONS = Path(__file__).resolve().parent / "static" / "curriculum" / "icons"
THEME_COLOUR = "#1d2430"  # the chart's --ink (scripts/make_icons.py)


def favicon(request):
    """/favicon.ico, which browsers ask for whatever the page links."""
    response = HttpResponse((ICONS / "favicon.ico").read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def manifest(request):
    """The web-app manifest: PhatAm installed on a phone's home screen opens the chart."""
    icons = [
        {"src": static(f"curriculum/icons/icon-{size}.png"), "sizes": f"{size}x{size}",
         "type": "image/png", "purpose": "any maskable"}
        for size in (192, 512)
    ]  # fmt: skip
    data = {
        "name": "PhatAm – Phát âm tiếng Anh",
        "short_name": "PhatAm",
        "description": "Bảng phiên âm 44 âm tiếng Anh, luyện nghe và phát âm cho người Việt.",
        "lang": "vi",
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": "#fafafa",
        "icons": icons,
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def service_worker(request):
    """/sw.js: the service worker, served from the site root so that its scope is the whole
    site and nothing wider (``Service-Worker-Allowed: /``). It is a script file like any
    other under the CSP (``script-src 'self'``); the page registers it from offline.js.

    Its cache names carry a version made of the shell's URLs (hashed static names in
    production) and the worker's own text, so a new deployment replaces the old shell.
    """
    shell = ["/", reverse("curriculum:manifest"), *(static(path) for path in SHELL_STATIC)]
    source = render_to_string("curriculum/sw.js", {"shell": "[]", "version": ""})
    version = hashlib.blake2b(
        json.dumps(shell).encode() + source.encode(), digest_size=6
    ).hexdigest()
    body = render_to_string("curriculum/sw.js", {"shell": json.dumps(shell), "version": version})
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
