from django.urls import path

from apps.curriculum import views

app_name = "curriculum"

urlpatterns = [
    path("", views.chart, name="chart"),
]
