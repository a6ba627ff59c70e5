from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from apps.curriculum.api import analytics, audio, curriculum, phonemes, recordings

router = DefaultRouter(trailing_slash=True)
router.register("phonemes", phonemes.PhonemeViewSet, basename="phoneme")
router.register("categories", curriculum.CategoryViewSet, basename="category")
router.register("minimal-pairs", curriculum.MinimalPairViewSet, basename="minimal-pair")

urlpatterns = [
    path("audio/<rowid:audio_source_id>/plays/", audio.PlayView.as_view(), name="audio-plays"),
    path(
        "phonemes/<rowid:pk>/audio-sources/",
        recordings.NativeRecordingUploadView.as_view(),
        name="phoneme-audio-sources",
    ),
    path(
        "phonemes/<rowid:pk>/preferred-audio/",
        recordings.PreferredAudioView.as_view(),
        name="phoneme-preferred-audio",
    ),
    path("analytics/", analytics.AnalyticsView.as_view(), name="analytics"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view loads its start-up script from ?script, a file: the page needs no inline
    # script under the Content-Security-Policy (nor inline style: see the template).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="schema", template_name="curriculum/swagger_ui.html"
        ),
        name="api-docs",
    ),
    *router.urls,
]
