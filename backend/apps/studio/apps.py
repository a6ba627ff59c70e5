from django.apps import AppConfig


class StudioConfig(AppConfig):
    name = "apps.studio"
    verbose_name = "Recording studio"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.core.hooks import account_delete_hooks, cleanup_hooks
        from apps.studio.services import takes_cleanup, takes_of_user_delete

        cleanup_hooks.register(takes_cleanup)
        account_delete_hooks.register(takes_of_user_delete)
