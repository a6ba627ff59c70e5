from django.apps import AppConfig
from django.urls import register_converter


class CoreConfig(AppConfig):
    """What every app shares: JSON errors, upload limits, the login throttle's callables,
    storage helpers, the check that an upload holds a sound, and the cleanup and
    account-deletion hooks that each app registers."""

    name = "apps.core"
    label = "core"
    verbose_name = "Core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from apps.core.converters import RowIdConverter

        # Before any URLconf is loaded: every app's API declares its ids as <rowid:...>.
        register_converter(RowIdConverter, "rowid")
