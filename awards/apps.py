from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

VERB_LABELS = {
    "award_rules.changed": _("Award rules changed"),
    "base_salary.created": _("Base salary added"),
}


def fetch_award_type(request, pk):
    """The audit trail of an award type's rules is for system admins only."""
    from django.shortcuts import get_object_or_404

    from organizations import access

    from .models import AwardType

    access.require_admin(request)
    award_type = get_object_or_404(AwardType, pk=pk)
    return award_type, award_type.name, reverse("award_type_detail", args=[award_type.code])


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("Awards")

    def ready(self):
        from audit import registry

        registry.register_object_type("awards.awardtype", fetch_award_type)
        registry.register_verb_labels(VERB_LABELS)
