from django.urls import path

from apps.practice.api import (
    accounts,
    calibration,
    drills,
    feedback,
    lessons,
    progress,
    word_feedback,
)

app_name = "practice-api"

urlpatterns = [
    path("auth/register/", accounts.RegisterApi.as_view(), name="register"),
    path("auth/token/", accounts.TokenApi.as_view(), name="token"),
    path("profile/", progress.ProfileApi.as_view(), name="profile"),
    path("progress/", progress.ProgressApi.as_view(), name="progress"),
    path("drills/next/", drills.DrillNextApi.as_view(), name="drill-next"),
    path("drills/kinds/", drills.DrillKindsApi.as_view(), name="drill-kinds"),
    path("drills/pack/", drills.DrillPackApi.as_view(), name="drill-pack"),
    path(
        "drills/offline-answers/",
        drills.DrillOfflineAnswersApi.as_view(),
        name="drill-offline-answers",
    ),
    path("drills/<rowid:pk>/audio/", drills.DrillAudioApi.as_view(), name="drill-audio"),
    path("drills/<rowid:pk>/answer/", drills.DrillAnswerApi.as_view(), name="drill-answer"),
    path("lessons/", lessons.LessonListApi.as_view(), name="lessons"),
    path("lessons/<rowid:pk>/", lessons.LessonDetailApi.as_view(), name="lesson"),
    path(
        "lessons/<rowid:pk>/complete/", lessons.LessonCompleteApi.as_view(), name="lesson-complete"
    ),
    path("feedback/vowel/", feedback.VowelFeedbackApi.as_view(), name="vowel-feedback"),
    path("feedback/word/", word_feedback.WordFeedbackApi.as_view(), name="word-feedback"),
    path("feedback/word/task/", word_feedback.WordTaskApi.as_view(), name="word-task"),
    path("feedback/word/model/", word_feedback.WordModelAudioApi.as_view(), name="word-model"),
    path(
        "feedback/word/<rowid:pk>/", word_feedback.WordRecordingApi.as_view(), name="word-recording"
    ),
    path(
        "feedback/word/<rowid:pk>/audio/",
        word_feedback.WordRecordingAudioApi.as_view(),
        name="word-recording-audio",
    ),
    path(
        "feedback/vowel/calibration/",
        calibration.VowelCalibrationApi.as_view(),
        name="vowel-calibration",
    ),
    path("feedback/vowel/chart/", feedback.VowelChartApi.as_view(), name="vowel-chart"),
    path(
        "feedback/vowel/<rowid:pk>/", feedback.VowelRecordingApi.as_view(), name="vowel-recording"
    ),
    path(
        "feedback/vowel/<rowid:pk>/audio/",
        feedback.VowelRecordingAudioApi.as_view(),
        name="vowel-recording-audio",
    ),
]
