from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("Awards")

    def ready(self):
        from audit import registry
        from notifications import reminders
        from notifications.models import Notification
        from organizations import demo
        from organizations.views.home import register_home_panel

        from . import audit_types, demo_council
        from . import demo as awards_demo
        from . import reminders as award_reminders
        from .home import work_panel

        for object_type, fetch in audit_types.OBJECT_TYPES.items():
            registry.register_object_type(object_type, fetch)
        registry.register_verb_labels(audit_types.VERB_LABELS)
        demo.register(awards_demo.seed_demo_history)
        demo.register(demo_council.seed_demo_council)
        register_home_panel("awards/home/work_panel.html", work_panel)
        Kind = Notification.Kind
        reminders.register(Kind.NOMINATIONS_DUE, award_reminders.nominations_due)
        reminders.register(Kind.APPRAISAL_DUE, award_reminders.appraisal_due)
        reminders.register(Kind.VOTE_CLOSING, award_reminders.vote_closing)
        reminders.register(Kind.CONSULTATION_ENDED, award_reminders.consultation_ended)
        reminders.register(Kind.SIGNATURE_DUE, award_reminders.signature_due)
