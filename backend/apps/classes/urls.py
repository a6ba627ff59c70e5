"""The class pages: the learner's under /hoc/lop/, the teacher's under /giao-vien/lop/."""

from django.urls import path

from apps.classes import views

app_name = "classes"

urlpatterns = [
    path("hoc/lop/", views.learner_classes, name="learner"),
    path("hoc/lop/<int:pk>/roi-lop/", views.learner_leave, name="leave"),
    path("hoc/lop/<int:pk>/chia-se/", views.learner_consent, name="consent"),
    path("giao-vien/lop/", views.teacher_classes, name="teacher"),
    path("giao-vien/lop/<int:pk>/", views.teacher_class, name="teacher-class"),
    path(
        "giao-vien/lop/<int:pk>/hoc-vien/<int:user_id>/",
        views.teacher_learner,
        name="teacher-learner",
    ),
    path(
        "giao-vien/lop/<int:pk>/hoc-vien/<int:user_id>/xoa/",
        views.teacher_remove,
        name="teacher-remove",
    ),
]
