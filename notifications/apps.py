from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from audit import registry

        from . import schedules, services

        registry.register_verb_labels(services.VERB_LABELS)
        registry.register_verb_labels(schedules.VERB_LABELS)
