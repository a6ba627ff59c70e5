from django.apps import AppConfig


class CurriculumConfig(AppConfig):
    name = "apps.curriculum"
    verbose_name = "Curriculum"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.curriculum import signals  # noqa: F401  (connects the receivers)
