"""The recording studio, under /studio/ (staff only)."""

from django.urls import path

from apps.studio import api, views

app_name = "studio"

urlpatterns = [
    path("", views.studio, name="home"),
    path("profile/", views.profile, name="profile"),
    path("api/takes/", api.TakeCreateApi.as_view(), name="take-create"),
    path("api/takes/<str:token>/audio/", api.TakeAudioApi.as_view(), name="take-audio"),
    path("api/takes/<str:token>/save/", api.TakeSaveApi.as_view(), name="take-save"),
]
