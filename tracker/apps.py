from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class TrackerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tracker"
    verbose_name = "Scrutiny tracking"

    def ready(self):
        from tracker import standing
        from tracker.models import Assessment, DateChange, Milestone
        from tracker.roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, sender=self)
        for model in (Assessment, Milestone, DateChange):
            post_save.connect(standing.row_changed, sender=model, dispatch_uid=f"standing-{model.__name__}-save")
            post_delete.connect(standing.row_changed, sender=model, dispatch_uid=f"standing-{model.__name__}-delete")
