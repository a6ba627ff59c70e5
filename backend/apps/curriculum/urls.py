from django.urls import path

from apps.curriculum import views

app_name = "curriculum"

urlpatterns = [
    path("", views.chart, name="chart"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
]
