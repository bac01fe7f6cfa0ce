from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from thiduakt.lib.forms import BootstrapMixin, DateInput

from .models import Council, CouncilMember, Household, Person, Unit


class UnitCodeField(forms.CharField):
    """A unit entered by its code: thousands of units make a drop-down unusable."""

    default_error_messages = {"unknown": _("No unit has the code %(code)s.")}

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        try:
            return Unit.objects.get(code=code.strip())
        except Unit.DoesNotExist:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown", params={"code": code}) from None


class UserField(forms.CharField):
    default_error_messages = {"unknown": _("No active account has the username %(username)s.")}

    def clean(self, value):
        username = super().clean(value)
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username.strip(), is_active=True)
        except get_user_model().DoesNotExist:
            raise forms.ValidationError(
                self.error_messages["unknown"], code="unknown", params={"username": username}
            ) from None


class UnitForm(BootstrapMixin, forms.ModelForm):
    parent_code = UnitCodeField(label=_("Parent unit code"), required=False, max_length=32)
    predecessor_codes = forms.CharField(
        label=_("Predecessor unit codes"),
        required=False,
        help_text=_("Codes of the units merged or split into this one, separated by commas."),
    )

    class Meta:
        model = Unit
        fields = ["code", "name", "short_name", "kind", "level", "valid_from", "valid_to"]
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["parent_code"].initial = self.instance.parent.code if self.instance.parent_id else ""
            self.fields["predecessor_codes"].initial = ", ".join(
                self.instance.successor_of.values_list("code", flat=True)
            )

    def clean_predecessor_codes(self):
        codes = [code.strip() for code in self.cleaned_data["predecessor_codes"].split(",") if code.strip()]
        units = list(Unit.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {unit.code for unit in units})
        if missing:
            raise forms.ValidationError(_("Unknown unit codes: %(codes)s.") % {"codes": ", ".join(missing)})
        if self.instance.pk and any(unit.pk == self.instance.pk for unit in units):
            raise forms.ValidationError(_("A unit cannot be its own predecessor."))
        return units

    def clean(self):
        cleaned = super().clean()
        parent = cleaned.get("parent_code")
        if parent is not None and self.instance.pk and parent.path.startswith(self.instance.path):
            self.add_error("parent_code", _("A unit cannot be placed under itself or one of its own sub-units."))
        return cleaned


class PersonForm(BootstrapMixin, forms.ModelForm):
    unit_code = UnitCodeField(label=_("Unit code"), max_length=32)

    class Meta:
        model = Person
        fields = ["code", "full_name", "gender", "birth_date", "position", "position_kind"]
        widgets = {"birth_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["unit_code"].initial = self.instance.unit.code


class HouseholdForm(BootstrapMixin, forms.ModelForm):
    unit_code = UnitCodeField(label=_("Commune or hamlet code"), max_length=32)

    class Meta:
        model = Household
        fields = ["code", "head_name", "address"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["unit_code"].initial = self.instance.unit.code


class CouncilForm(BootstrapMixin, forms.ModelForm):
    unit_code = UnitCodeField(label=_("Unit code"), max_length=32)

    class Meta:
        model = Council
        fields = ["name", "established_on", "dissolved_on"]
        widgets = {"established_on": DateInput(), "dissolved_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["unit_code"].initial = self.instance.unit.code

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("established_on"), cleaned.get("dissolved_on")
        if start and end and end < start:
            self.add_error("dissolved_on", _("The dissolution date cannot be before the establishment date."))
        return cleaned


class CouncilMemberForm(BootstrapMixin, forms.Form):
    username = UserField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=CouncilMember.Role.choices)
    voting = forms.BooleanField(label=_("Voting member"), required=False, initial=True)


ROLE_CHOICES = [*Unit.Role.choices]


class RoleGrantForm(BootstrapMixin, forms.Form):
    username = UserField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)
    unit_code = UnitCodeField(label=_("Unit code"), max_length=32)


class SecretariatGrantForm(BootstrapMixin, forms.Form):
    username = UserField(label=_("Username"), max_length=150)
    council = forms.ModelChoiceField(
        label=_("Council"), queryset=Council.objects.filter(dissolved_on__isnull=True).select_related("unit")
    )


class RoleFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Username or unit"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All roles")), *ROLE_CHOICES])
