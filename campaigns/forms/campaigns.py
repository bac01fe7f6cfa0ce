"""Forms of the campaign and registration pages. They check input; the services enforce the rules."""

import os
from decimal import Decimal

from django import forms
from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.forms import UnitCodeField
from organizations.models import Person, Unit
from thiduakt.lib.forms import BootstrapMixin, DateInput

from ..models import Campaign, Registration

PLAN_EXTENSIONS = (".pdf", ".doc", ".docx", ".odt")
PLAN_MAX_BYTES = 20 * 1024 * 1024
DATE_FIELDS = Campaign.FROZEN_FIELDS


def award_choices(subject: str | None = None, codes=()) -> list[tuple[str, str]]:
    """(code, "code — name") of the catalogue, optionally only those fitting a subject or among `codes`."""
    award_type = apps.get_model("awards", "AwardType")
    rows = award_type.objects.order_by("order", "code").values_list("code", "name", "subject_types")
    return [
        (code, f"{code} — {name}")
        for code, name, subjects in rows
        if (subject is None or subject in subjects) and (not codes or code in codes)
    ]


def clean_campaign_dates(form, cleaned: dict, launched_on=None) -> None:
    """Errors next to the date fields for dates in the wrong order."""
    start, end = cleaned.get("period_start"), cleaned.get("period_end")
    registration, nomination = cleaned.get("registration_deadline"), cleaned.get("nomination_deadline")
    midterm, final = cleaned.get("midterm_review_on"), cleaned.get("final_review_on")
    if start and end and end < start:
        form.add_error("period_end", _("The end of the period cannot be before its start."))
    if registration and nomination and nomination < registration:
        form.add_error("nomination_deadline", _("The nomination deadline cannot be before the registration deadline."))
    if midterm and start and midterm < start:
        form.add_error("midterm_review_on", _("The mid-term review cannot be before the start of the period."))
    if midterm and final and final < midterm:
        form.add_error("final_review_on", _("The final review cannot be before the mid-term review."))
    launch = launched_on or timezone.localdate()
    if registration and registration < launch:
        form.add_error(
            "registration_deadline",
            _("The registration deadline cannot be before the launch date (%(date)s).")
            % {"date": launch.strftime("%d/%m/%Y")},
        )


class CampaignForm(BootstrapMixin, forms.ModelForm):
    launching_unit_code = UnitCodeField(label=_("Launching unit code"), max_length=32)
    chosen_unit_codes = forms.CharField(
        label=_("Chosen unit codes"),
        required=False,
        help_text=_("For a campaign of chosen units: their codes, separated by commas."),
    )
    award_codes = forms.MultipleChoiceField(
        label=_("Award types it leads to"),
        required=False,
        help_text=_("Leave empty for any award type."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Campaign
        fields = [
            "code",
            "title",
            "kind",
            "scope",
            "period_start",
            "period_end",
            "description",
            "plan_document",
            "registration_deadline",
            "midterm_review_on",
            "nomination_deadline",
            "final_review_on",
        ]
        widgets = {name: DateInput() for name in DATE_FIELDS} | {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_codes"].choices = award_choices()
        if self.instance.pk:
            self.fields["launching_unit_code"].initial = self.instance.launching_unit.code
            self.fields["launching_unit_code"].disabled = True
            self.fields["chosen_unit_codes"].initial = ", ".join(
                self.instance.chosen_units.order_by("code").values_list("code", flat=True)
            )
            self.fields["award_codes"].initial = self.instance.award_codes

    def clean_launching_unit_code(self):
        if self.instance.pk:
            return self.instance.launching_unit
        return self.cleaned_data["launching_unit_code"]

    def clean_chosen_unit_codes(self):
        codes = [code.strip() for code in self.cleaned_data["chosen_unit_codes"].split(",") if code.strip()]
        units = list(Unit.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {unit.code for unit in units})
        if missing:
            raise forms.ValidationError(_("Unknown unit codes: %(codes)s.") % {"codes": ", ".join(missing)})
        return units

    def clean_plan_document(self):
        document = self.cleaned_data.get("plan_document")
        if document and hasattr(document, "content_type"):  # a new upload
            if os.path.splitext(document.name)[1].lower() not in PLAN_EXTENSIONS:
                raise forms.ValidationError(_("The plan must be a PDF, Word or OpenDocument file."))
            if document.size > PLAN_MAX_BYTES:
                raise forms.ValidationError(_("The plan is larger than 20 MB."))
        return document

    def clean(self):
        cleaned = super().clean()
        clean_campaign_dates(self, cleaned)
        if cleaned.get("scope") == Campaign.Scope.CHOSEN and not cleaned.get("chosen_unit_codes"):
            self.add_error("chosen_unit_codes", _("Choose at least one unit for a campaign of chosen units."))
        return cleaned

    def _post_clean(self):
        # The model's own validation would report the database constraints in its English words; the
        # date checks above already cover them.
        pass


class CriterionForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label=_("Criterion"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    points = forms.DecimalField(
        label=_("Points"),
        required=False,
        min_value=Decimal(0),
        max_digits=7,
        decimal_places=2,
        error_messages={"min_value": _("Points cannot be negative.")},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("points") is not None and not (cleaned.get("text") or "").strip():
            self.add_error("text", _("Write the criterion that these points are for."))
        return cleaned


CriterionFormSet = forms.formset_factory(CriterionForm, extra=3, max_num=100, absolute_max=200)


def criteria_initial(campaign: Campaign | None) -> list[dict]:
    if campaign is None:
        return []
    return [{"text": c.text, "points": c.points} for c in campaign.criteria.all()]


def criteria_values(formset) -> list[tuple[str, Decimal | None]]:
    return [
        (form.cleaned_data["text"].strip(), form.cleaned_data.get("points"))
        for form in formset.forms
        if form.cleaned_data.get("text", "").strip()
    ]


class AmendmentForm(BootstrapMixin, forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the amendment"), widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = Campaign
        fields = list(DATE_FIELDS)
        widgets = {name: DateInput() for name in DATE_FIELDS}

    def clean(self):
        cleaned = super().clean()
        clean_campaign_dates(self, cleaned, launched_on=self.instance.launched_on)
        return cleaned

    def _post_clean(self):
        pass  # the instance is changed by the service, not by the form

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in DATE_FIELDS if name in self.changed_data}


class RegistrationForm(BootstrapMixin, forms.Form):
    unit_awards = forms.MultipleChoiceField(
        label=_("Titles the unit aims at"), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_awards"].choices = award_choices("unit", campaign.award_codes)


class PersonTargetForm(BootstrapMixin, forms.Form):
    person = forms.ChoiceField(label=_("Person"), required=False)
    award_code = forms.ChoiceField(label=_("Title"), required=False)

    def __init__(self, *args, people=(), awards=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—"), *people]
        self.fields["award_code"].choices = [("", "—"), *awards]

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("person")) != bool(cleaned.get("award_code")):
            self.add_error("award_code", _("Choose both the person and the title, or neither."))
        return cleaned


class BasePersonTargetFormSet(forms.BaseFormSet):
    def __init__(self, *args, people=(), awards=(), **kwargs):
        self.people, self.awards = list(people), list(awards)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"people": self.people, "awards": self.awards}

    @property
    def empty_form(self):
        return self.form(
            auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), people=self.people, awards=self.awards
        )


PersonTargetFormSet = forms.formset_factory(
    PersonTargetForm, formset=BasePersonTargetFormSet, extra=3, max_num=500, absolute_max=1000
)


def people_of(unit: Unit):
    return Person.objects.filter(unit__path__startswith=unit.path).select_related("unit").order_by("search_name")


def registration_forms(data, *, campaign: Campaign, unit: Unit, registration: Registration | None):
    """The registration form and the formset of individual targets, filled from the saved registration."""
    targets = list(registration.targets.select_related("person")) if registration else []
    people = [(str(p.pk), f"{p.full_name} ({p.code})") for p in people_of(unit)]
    awards = award_choices("person", campaign.award_codes)
    form = RegistrationForm(
        data,
        campaign=campaign,
        initial={
            "unit_awards": [t.award_code for t in targets if t.person_id is None],
            "note": registration.note if registration else "",
        },
    )
    formset = PersonTargetFormSet(
        data,
        prefix="people",
        people=people,
        awards=awards,
        initial=[{"person": str(t.person_id), "award_code": t.award_code} for t in targets if t.person_id],
    )
    return form, formset


def registration_targets(form, formset, unit: Unit) -> list[tuple[Person | None, str]]:
    picked = [
        (int(f.cleaned_data["person"]), f.cleaned_data["award_code"])
        for f in formset.forms
        if f.cleaned_data.get("person") and f.cleaned_data.get("award_code")
    ]
    people = people_of(unit).in_bulk([pk for pk, _code in picked])
    targets: list[tuple[Person | None, str]] = [(None, code) for code in form.cleaned_data["unit_awards"]]
    targets += [(people[pk], code) for pk, code in picked if pk in people]
    return targets


class ReturnForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for returning"), widget=forms.Textarea(attrs={"rows": 2}))


class CampaignFilterForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1945, max_value=2100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *Campaign.Kind.choices])
    unit = forms.CharField(label=_("Launching unit code"), required=False, max_length=32)
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All")), *Campaign.State.choices])


class RegistrationFilterForm(BootstrapMixin, forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All")), *Registration.State.choices])
    q = forms.CharField(label=_("Unit name or code"), required=False, max_length=100)
