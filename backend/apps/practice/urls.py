"""The learner's pages, under /hoc/ ("học": to learn)."""

from django.urls import path

from apps.practice import views

app_name = "practice"

urlpatterns = [
    path("", views.practice, name="home"),
    path("dang-ky/", views.signup, name="signup"),
    path("dang-nhap/", views.login_page, name="login"),
    path("dang-xuat/", views.logout_page, name="logout"),
    path("bat-dau/", views.onboarding, name="onboarding"),
    path("kiem-tra/", views.placement, name="placement"),
    path("tien-do/", views.progress, name="progress"),
    path("bai-hoc/", views.lessons, name="lessons"),
    path("bai-hoc/<int:pk>/", views.lesson, name="lesson"),
    path("nguyen-am/", views.vowel, name="vowel"),
    path("ngoai-tuyen/", views.offline_drills, name="offline"),
]
