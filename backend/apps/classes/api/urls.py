from django.urls import path

from apps.classes.api import assignments, classes, reports

app_name = "classes-api"

urlpatterns = [
    path("classes/", classes.ClassListApi.as_view(), name="classes"),
    path("classes/join/", classes.ClassJoinApi.as_view(), name="join"),
    path("classes/<str:pk>/", classes.ClassDetailApi.as_view(), name="class"),
    path("classes/<str:pk>/members/me/", classes.MembershipMeApi.as_view(), name="leave"),
    path("classes/<str:pk>/members/me/consent/", classes.ConsentApi.as_view(), name="consent"),
    path("classes/<str:pk>/members/<str:user_id>/", classes.MemberApi.as_view(), name="member"),
    path(
        "classes/<str:pk>/members/<str:user_id>/report/",
        reports.LearnerReportApi.as_view(),
        name="learner-report",
    ),
    path(
        "classes/<str:pk>/members/<str:user_id>/recordings/<str:kind>/<str:rec>/audio/",
        reports.SharedRecordingAudioApi.as_view(),
        name="recording-audio",
    ),
    path(
        "classes/<str:pk>/assignments/",
        assignments.ClassAssignmentsApi.as_view(),
        name="assignments",
    ),
    path("classes/<str:pk>/report/", reports.ClassReportApi.as_view(), name="report"),
    path("assignments/", assignments.LearnerAssignmentsApi.as_view(), name="my-assignments"),
]
