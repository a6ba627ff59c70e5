from django.apps import AppConfig


class StudioConfig(AppConfig):
    name = "apps.studio"
    verbose_name = "Recording studio"
    default_auto_field = "django.db.models.BigAutoField"
