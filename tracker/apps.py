from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TrackerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tracker"
    verbose_name = "Scrutiny tracking"

    def ready(self):
        from tracker.roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, sender=self)
