from django.urls import path

from apps.classes.api import assignments, classes, reports

app_name = "classes-api"

urlpatterns = [
    path("classes/", classes.ClassListApi.as_view(), name="classes"),
    path("classes/join/", classes.ClassJoinApi.as_view(), name="join"),
    path("classes/<rowid:pk>/", classes.ClassDetailApi.as_view(), name="class"),
    path("classes/<rowid:pk>/members/me/", classes.MembershipMeApi.as_view(), name="leave"),
    path("classes/<rowid:pk>/members/me/consent/", classes.ConsentApi.as_view(), name="consent"),
    path("classes/<rowid:pk>/members/<rowid:user_id>/", classes.MemberApi.as_view(), name="member"),
    path(
        "classes/<rowid:pk>/members/<rowid:user_id>/report/",
        reports.LearnerReportApi.as_view(),
        name="learner-report",
    ),
    path(
        "classes/<rowid:pk>/members/<rowid:user_id>/recordings/<str:kind>/<rowid:rec>/audio/",
        reports.SharedRecordingAudioApi.as_view(),
        name="recording-audio",
    ),
    path(
        "classes/<rowid:pk>/assignments/",
        assignments.ClassAssignmentsApi.as_view(),
        name="assignments",
    ),
    path("classes/<rowid:pk>/report/", reports.ClassReportApi.as_view(), name="report"),
    path("assignments/", assignments.LearnerAssignmentsApi.as_view(), name="my-assignments"),
]
