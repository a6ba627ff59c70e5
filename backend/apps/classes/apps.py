from django.apps import AppConfig


class ClassesConfig(AppConfig):
    name = "apps.classes"
    verbose_name = "Classes"
    default_auto_field = "django.db.models.BigAutoField"
