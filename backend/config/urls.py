from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from apps.curriculum.media import serve_media

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("apps.curriculum.api.urls")),
    path("", include("apps.curriculum.urls")),
]

if settings.PHATAM_SERVE_MEDIA:
    urlpatterns += [
        re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.+)$", serve_media, name="media")
    ]
