import json
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.forms import UnitCodeField
from organizations.models import Unit
from thiduakt.lib.forms import BootstrapMixin, DateInput

from .models import AwardType, BaseSalary
from .models.catalogue import SUBJECT_TYPES

SUBJECT_LABELS = dict(SUBJECT_TYPES)
ROUNDING_CHOICES = [("floor", _("Round down")), ("round", _("Round to nearest")), ("ceil", _("Round up"))]
VOTE_BASE_CHOICES = [("all", _("Of all members")), ("present", _("Of members present"))]
DOCUMENT_CHOICES = [
    ("proposal_letter", _("Proposal letter")),
    ("achievement_report", _("Achievement report")),
    ("minutes", _("Meeting minutes")),
    ("tally_minutes", _("Ballot-count minutes")),
    ("initiative_certificate", _("Initiative recognition certificate")),
    ("other_confirmation", _("Other confirmation")),
]
DOCUMENT_LABELS = dict(DOCUMENT_CHOICES)
# Ministries and provinces issue their own emulation regulations, valid in their subtree.
TUNING_KINDS = frozenset({Unit.Kind.MINISTRY, Unit.Kind.PROVINCE})


def _award_choices(blank_label):
    return [("", blank_label), *AwardType.objects.order_by("order", "code").values_list("code", "name")]


class AwardTypeFilterForm(BootstrapMixin, forms.Form):
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *AwardType.Category.choices]
    )
    subject = forms.ChoiceField(label=_("Subject"), required=False, choices=[("", _("All subjects")), *SUBJECT_TYPES])


class RuleSetForm(BootstrapMixin, forms.Form):
    """A new version of an award type's rules. The JSON is parsed here; whether the rules make sense is for
    the service (awards.eligibility.validate_rule_set) to say."""

    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    organisation = UnitCodeField(
        label=_("Organisation code"),
        required=False,
        max_length=32,
        help_text=_("Empty: the national rules. A ministry or province code: rules for its subtree only."),
    )
    rules = forms.CharField(
        label=_("Prerequisite rules (JSON)"),
        widget=forms.Textarea(attrs={"rows": 16, "class": "form-control mono", "spellcheck": "false"}),
    )
    quota_pct = forms.DecimalField(
        label=_("Quota (percent of those awarded)"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        help_text=_("Empty: no quota."),
    )
    quota_rounding = forms.ChoiceField(label=_("Rounding of the quota"), choices=ROUNDING_CHOICES, initial="floor")
    quota_of_award = forms.ChoiceField(label=_("Counted against the award"), required=False, choices=())
    vote_secret = forms.BooleanField(label=_("Secret ballot"), required=False)
    vote_threshold_pct = forms.IntegerField(label=_("Votes needed (%)"), min_value=50, max_value=100)
    vote_base = forms.ChoiceField(label=_("Percentage counted"), choices=VOTE_BASE_CHOICES)
    vote_quorum_pct = forms.IntegerField(
        label=_("Quorum (members present, percent of all members)"), min_value=0, max_value=100
    )
    required_documents = forms.MultipleChoiceField(
        label=_("Required documents"),
        required=False,
        choices=DOCUMENT_CHOICES,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    consultation_days = forms.IntegerField(label=_("Public consultation (days)"), min_value=0, max_value=60)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def __init__(self, *args, award_type: AwardType, **kwargs):
        self.award_type = award_type
        super().__init__(*args, **kwargs)
        self.fields["quota_of_award"].choices = _award_choices(_("—"))
        for subject in award_type.subject_types:
            field = forms.DecimalField(
                label=_("Bonus coefficient: %(subject)s") % {"subject": SUBJECT_LABELS.get(subject, subject)},
                min_value=Decimal(0),
                max_digits=6,
                decimal_places=3,
            )
            field.widget.attrs["class"] = "form-control"
            self.fields[f"coefficient_{subject}"] = field

    @classmethod
    def initial_from(cls, rule_set, *, organisation: Unit | None) -> dict:
        """Initial values: the version in force, so that the admin changes only what must change."""
        initial = {"valid_from": timezone.localdate(), "organisation": organisation.code if organisation else ""}
        if rule_set is None:
            return initial
        quota, vote = rule_set.quota_rule or {}, rule_set.vote_rule or {}
        initial.update(
            rules=json.dumps(rule_set.rules, ensure_ascii=False, indent=2),
            quota_pct=quota.get("max_pct"),
            quota_rounding=quota.get("rounding", "floor"),
            quota_of_award=quota.get("of_award", ""),
            vote_secret=bool(vote.get("secret")),
            vote_threshold_pct=vote.get("threshold_pct"),
            vote_base=vote.get("base", "present"),
            vote_quorum_pct=vote.get("quorum_pct"),
            required_documents=list(rule_set.required_documents),
            consultation_days=rule_set.consultation_days,
        )
        for subject, coefficient in (rule_set.coefficients or {}).items():
            initial[f"coefficient_{subject}"] = coefficient
        return initial

    def coefficient_fields(self):
        return [self[f"coefficient_{subject}"] for subject in self.award_type.subject_types]

    def clean_organisation(self):
        unit = self.cleaned_data["organisation"]
        if unit is not None and unit.kind not in TUNING_KINDS:
            raise forms.ValidationError(
                _("Only a ministry or a province sets its own rules; %(name)s is neither.") % {"name": unit.name}
            )
        return unit

    def clean_rules(self):
        text = self.cleaned_data["rules"]
        try:
            rules = json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("The rules are not valid JSON (line %(line)s, column %(column)s): %(problem)s.")
                % {"line": error.lineno, "column": error.colno, "problem": error.msg}
            ) from None
        if not isinstance(rules, list):
            raise forms.ValidationError(_("The rules must be a JSON list: [ {...}, {...} ]."))
        return rules

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("quota_pct") is not None and not cleaned.get("quota_of_award"):
            self.add_error("quota_of_award", _("Choose the award the quota is counted against."))
        return cleaned

    def rule_set_data(self) -> dict:
        """The keyword arguments of services.rule_set_create, from valid data."""
        data = self.cleaned_data
        quota = {}
        if data["quota_pct"] is not None:
            pct = data["quota_pct"]
            quota = {
                "of_award": data["quota_of_award"],
                "max_pct": int(pct) if pct == pct.to_integral_value() else float(pct),
                "rounding": data["quota_rounding"],
            }
        return {
            "organisation": data["organisation"],
            "valid_from": data["valid_from"],
            "rules": data["rules"],
            "quota_rule": quota,
            "vote_rule": {
                "secret": data["vote_secret"],
                "threshold_pct": data["vote_threshold_pct"],
                "base": data["vote_base"],
                "quorum_pct": data["vote_quorum_pct"],
            },
            "required_documents": list(data["required_documents"]),
            "consultation_days": data["consultation_days"],
            "coefficients": {
                subject: float(data[f"coefficient_{subject}"]) for subject in self.award_type.subject_types
            },
            "note": data["note"],
        }


class BaseSalaryForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = BaseSalary
        fields = ["amount", "valid_from", "legal_basis"]
        widgets = {"valid_from": DateInput()}

    def validate_unique(self):
        """The service says, in its own words, that a date is taken."""


class EligibilityCheckForm(BootstrapMixin, forms.Form):
    unit = forms.CharField(label=_("Unit code"), max_length=32)
    year = forms.IntegerField(label=_("Year"), min_value=1945, max_value=2100)
    award = forms.ChoiceField(label=_("Award"), choices=())
    status = forms.ChoiceField(label=_("Result"), required=False, choices=())

    def __init__(self, *args, status_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award"].choices = _award_choices(_("Choose an award"))
        self.fields["status"].choices = [("", _("All results")), *status_choices]
