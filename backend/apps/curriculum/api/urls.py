from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from apps.curriculum.api import views

router = DefaultRouter(trailing_slash=True)
router.register("phonemes", views.PhonemeViewSet, basename="phoneme")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("minimal-pairs", views.MinimalPairViewSet, basename="minimal-pair")

urlpatterns = [
    path("audio/<int:audio_source_id>/plays/", views.PlayView.as_view(), name="audio-plays"),
    path(
        "phonemes/<str:pk>/audio-sources/",
        views.NativeRecordingUploadView.as_view(),
        name="phoneme-audio-sources",
    ),
    path(
        "phonemes/<str:pk>/preferred-audio/",
        views.PreferredAudioView.as_view(),
        name="phoneme-preferred-audio",
    ),
    path("analytics/", views.AnalyticsView.as_view(), name="analytics"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    *router.urls,
]
