"""Forms of the bloc pages: they shape and type-check input; the rules live in campaigns.services.blocs."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.models import Unit
from thiduakt.lib.forms import BootstrapMixin, DateInput

from ..models import Bloc, ScoreCriterion, ScoreTemplate
from ..services import blocs as services


class UnitCodesField(forms.CharField):
    """Unit codes separated by commas, spaces or new lines → the units, in the order given."""

    widget = forms.Textarea(attrs={"rows": 4})

    def clean(self, value):
        value = super().clean(value)
        codes = [code for code in re.split(r"[\s,;]+", value or "") if code]
        units = {unit.code: unit for unit in Unit.objects.filter(code__in=codes)}
        unknown = [code for code in codes if code not in units]
        if unknown:
            raise ValidationError(_("Unknown unit codes: %(codes)s.") % {"codes": ", ".join(unknown)})
        return list(dict.fromkeys(units[code] for code in codes))


class UnitCodeField(forms.CharField):
    def clean(self, value):
        value = (super().clean(value) or "").strip()
        if not value:
            return None
        unit = Unit.objects.filter(code=value).first()
        if unit is None:
            raise ValidationError(_("No unit has the code %(code)s.") % {"code": value})
        return unit


def parse_points(raw: str):
    """Text typed in Vietnamese style ("12,5") or with a dot ("12.5") → Decimal; "" → None."""
    raw = (raw or "").strip().replace(" ", "")
    if not raw:
        return None
    if "," in raw:
        raw = raw.replace(".", "").replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationError(_("Enter a number of points, such as 12,5.")) from None
    if not value.is_finite() or value.as_tuple().exponent < -2:
        raise ValidationError(_("Points have at most two decimals."))
    return value


class PointsField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "class": "form-control form-control-sm text-end"})

    def clean(self, value):
        return parse_points(super().clean(value))


class BlocForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=255)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Bloc.Kind.choices)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    organising_unit = UnitCodeField(label=gettext_lazy("Organising unit (code)"))
    members = UnitCodesField(
        label=gettext_lazy("Member units (codes)"), help_text=gettext_lazy("One code a line, or separated by commas.")
    )
    leader = UnitCodeField(label=gettext_lazy("Bloc leader (unit code)"))
    deputy = UnitCodeField(label=gettext_lazy("Deputy bloc leader (unit code)"), required=False)
    template = forms.ModelChoiceField(
        label=gettext_lazy("Score template"), queryset=ScoreTemplate.objects.none(), required=False
    )
    self_score_deadline = forms.DateField(label=gettext_lazy("Self-score deadline"), required=False, widget=DateInput())
    previous = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, templates=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates if templates is not None else ScoreTemplate.objects.none()
        if editing:
            for name in ("year", "organising_unit", "previous"):
                del self.fields[name]


class PledgeForm(BootstrapMixin, forms.Form):
    signed_on = forms.DateField(label=gettext_lazy("Signed on"), widget=DateInput())
    targets = forms.CharField(label=gettext_lazy("Targets"), widget=forms.Textarea(attrs={"rows": 6}))
    document = forms.FileField(
        label=gettext_lazy("Signed document (PDF, JPEG or PNG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if upload and (message := services.check_evidence(upload)):
            raise ValidationError(message)
        return upload


KIND_MARKS = {"+": ScoreCriterion.Kind.BONUS, "-": ScoreCriterion.Kind.PENALTY}


def parse_template_text(text: str) -> list[dict]:
    """Lines of the template editor: "# Group title", then "Criterion | max" (a leading "+" marks a bonus
    item, "-" a penalty item; their maximum is their cap)."""
    groups: list[dict] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            groups.append({"title": line.lstrip("#").strip(), "criteria": []})
            continue
        kind = ScoreCriterion.Kind.NORMAL
        if line[0] in KIND_MARKS:
            kind, line = KIND_MARKS[line[0]], line[1:].strip()
        label, bar, maximum = line.rpartition("|")
        if not bar or not label.strip():
            raise ValidationError(
                _("Line %(line)s: write the criterion, a bar and its maximum, e.g. “Report on time | 10”.")
                % {"line": number}
            )
        try:
            max_points = parse_points(maximum)
        except ValidationError as error:
            raise ValidationError(
                _("Line %(line)s: %(error)s") % {"line": number, "error": error.messages[0]}
            ) from None
        if max_points is None or max_points <= 0:
            raise ValidationError(_("Line %(line)s: the maximum must be above zero.") % {"line": number})
        if not groups:
            groups.append({"title": _("Criteria"), "criteria": []})
        groups[-1]["criteria"].append({"text": label.strip(), "kind": kind, "max_points": max_points})
    if not any(group["criteria"] for group in groups):
        raise ValidationError(_("A score template needs at least one criterion."))
    return groups


def template_text(groups) -> str:
    """The editor's text for the groups of a template (the reverse of parse_template_text)."""
    marks = {kind: mark for mark, kind in KIND_MARKS.items()}
    lines = []
    for group in groups:
        lines.append(f"# {group.title}")
        for criterion in group.criteria.all():
            mark = marks.get(criterion.kind, "")
            maximum = f"{criterion.max_points.normalize():f}".replace(".", ",")
            lines.append(f"{mark + ' ' if mark else ''}{criterion.text} | {maximum}")
    return "\n".join(lines)


class TemplateForm(BootstrapMixin, forms.Form):
    organising_unit = UnitCodeField(label=gettext_lazy("Organising unit (code)"))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=255)
    content = forms.CharField(
        label=gettext_lazy("Groups and criteria"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "form-control font-monospace"}),
        help_text=gettext_lazy(
            "“# Title” starts a group; each criterion is “text | maximum points”; start a line with + for a bonus "
            "item or - for a penalty item (its maximum is its cap)."
        ),
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["organising_unit"]
            del self.fields["name"]

    def clean_content(self):
        return parse_template_text(self.cleaned_data["content"])


class ResultForm(BootstrapMixin, forms.Form):
    meeting_on = forms.DateField(label=gettext_lazy("Meeting date"), widget=DateInput())
    flag_unit = forms.ModelChoiceField(
        label=gettext_lazy("Leading unit, proposed for the emulation flag"), queryset=Unit.objects.none()
    )
    merit_units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Units proposed for the certificate of merit"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tie_resolution = forms.CharField(
        label=gettext_lazy("How the meeting settled ties"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_leader = forms.ModelChoiceField(
        label=gettext_lazy("Next year's bloc leader"), queryset=Unit.objects.none(), required=False
    )
    next_deputy = forms.ModelChoiceField(
        label=gettext_lazy("Next year's deputy"), queryset=Unit.objects.none(), required=False
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("flag_unit", "merit_units", "next_leader", "next_deputy"):
            self.fields[name].queryset = units if units is not None else Unit.objects.none()
        self.fields["merit_units"].widget.attrs["class"] = "form-check-input"


class EntriesForm(forms.Form):
    """A field (or two) per entry of a sheet; `rows` pairs each entry with its bound fields for the table."""

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = entries
        for entry in entries:
            self.add_entry_fields(entry)

    def add_entry_fields(self, entry):
        raise NotImplementedError

    def add_service_errors(self, field_errors: dict) -> None:
        for name, message in field_errors.items():
            self.add_error(name if name in self.fields else None, message)

    def mark_invalid(self):
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"{self[name].id_for_label}_error"


class SelfScoreForm(EntriesForm):
    def add_entry_fields(self, entry):
        cid = entry.criterion_id
        initial = "" if entry.self_points is None else f"{entry.self_points.normalize():f}".replace(".", ",")
        self.fields[f"points_{cid}"] = PointsField(label=entry.criterion.text, initial=initial)
        self.fields[f"evidence_{cid}"] = forms.FileField(
            label=gettext_lazy("Evidence"),
            required=False,
            widget=forms.ClearableFileInput(
                attrs={"accept": ".pdf,.jpg,.jpeg,.png", "class": "form-control form-control-sm"}
            ),
        )

    def rows(self):
        return [(entry, self[f"points_{entry.criterion_id}"], self[f"evidence_{entry.criterion_id}"])
                for entry in self.entries]  # fmt: skip

    def points(self) -> dict:
        return {entry.criterion_id: self.cleaned_data[f"points_{entry.criterion_id}"] for entry in self.entries}

    def evidence(self) -> dict:
        return {
            entry.criterion_id: upload
            for entry in self.entries
            if (upload := self.cleaned_data.get(f"evidence_{entry.criterion_id}"))
        }


class VerifyForm(EntriesForm):
    def add_entry_fields(self, entry):
        cid = entry.criterion_id
        points = entry.verified_points if entry.verified_points is not None else entry.self_points
        initial = "" if points is None else f"{points.normalize():f}".replace(".", ",")
        self.fields[f"verified_{cid}"] = PointsField(label=entry.criterion.text, initial=initial)
        self.fields[f"comment_{cid}"] = forms.CharField(
            label=gettext_lazy("Comment"),
            required=False,
            initial=entry.comment,
            widget=forms.Textarea(attrs={"rows": 1, "class": "form-control form-control-sm"}),
        )

    def rows(self):
        return [(entry, self[f"verified_{entry.criterion_id}"], self[f"comment_{entry.criterion_id}"])
                for entry in self.entries]  # fmt: skip

    def verified(self) -> dict:
        return {
            entry.criterion_id: (
                self.cleaned_data[f"verified_{entry.criterion_id}"],
                self.cleaned_data[f"comment_{entry.criterion_id}"],
            )
            for entry in self.entries
        }
