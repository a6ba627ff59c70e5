from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from apps.curriculum.audio.media import serve_media
from config.health import health

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("api/", include("apps.practice.api.urls")),
    path("api/", include("apps.curriculum.api.urls")),
    path("hoc/", include("apps.practice.urls")),
    path("studio/", include("apps.studio.urls")),
    path("", include("apps.curriculum.urls")),
]

if settings.PHATAM_SERVE_MEDIA:
    urlpatterns += [
        re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.+)$", serve_media, name="media")
    ]

# A database fault raised outside a view (the middleware answers those inside) is a 503 too.
handler500 = "apps.core.errors.server_error"
