from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "apps.practice"
    verbose_name = "Practice"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.core.hooks import account_delete_hooks, cleanup_hooks
        from apps.practice.services.accounts import learner_data_delete
        from apps.practice.services.recordings import learner_recordings_cleanup

        cleanup_hooks.register(learner_recordings_cleanup)
        account_delete_hooks.register(learner_data_delete)
