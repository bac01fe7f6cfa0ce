from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self):
        from audit import registry
        from notifications import reminders
        from notifications.models import Notification
        from organizations import demo

        from . import demo as campaigns_demo
        from .reminders import registration_due
        from .services import blocs, campaigns

        for module in (campaigns, blocs):
            for object_type, fetch in module.OBJECT_TYPES.items():
                registry.register_object_type(object_type, fetch)
            registry.register_verb_labels(module.VERB_LABELS)
        demo.register(campaigns_demo.seed_demo_campaigns)
        reminders.register(Notification.Kind.REGISTRATION_DUE, registration_due)
