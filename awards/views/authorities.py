"""The authority table: who decides each award type, in force today and over time; admins add versions."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from awards import routes
from awards.models import Authority, AwardType
from organizations import access
from organizations.models import Unit
from thiduakt.lib import permissions
from thiduakt.lib.forms import BootstrapMixin, DateInput


class AwardTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.name}"


class AuthorityForm(BootstrapMixin, forms.Form):
    award_type = AwardTypeChoiceField(
        label=gettext_lazy("Award"), queryset=AwardType.objects.order_by("order", "code"), to_field_name="code"
    )
    deciding_level = forms.ChoiceField(label=gettext_lazy("Deciding level"), choices=Unit.Level.choices)
    valid_from = forms.DateField(label=gettext_lazy("Valid from"), widget=DateInput())
    legal_basis = forms.CharField(label=gettext_lazy("Legal basis"), max_length=255, required=False)


@login_required
def authority_list(request):
    today = timezone.localdate()
    award_types = AwardType.objects.order_by("order", "code").prefetch_related(
        Prefetch("authorities", queryset=Authority.objects.order_by("-valid_from"), to_attr="versions")
    )
    rows = []
    for award_type in award_types:
        in_force = next(
            (
                version
                for version in award_type.versions
                if version.valid_from <= today and (version.valid_to is None or version.valid_to > today)
            ),
            None,
        )
        rows.append({"award_type": award_type, "in_force": in_force, "versions": award_type.versions})
    context = {"rows": rows, "today": today, "can_edit": permissions.is_system_admin(request.user)}
    return render(request, "awards/authorities/list.html", context)


@login_required
def authority_create(request):
    access.require_admin(request)
    initial = {"valid_from": timezone.localdate(), "award_type": request.GET.get("award", "")}
    form = AuthorityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            authority = routes.authority_set(by=request.user, **form.cleaned_data)
        except routes.AuthorityError as error:
            form.add_error("valid_from", str(error))
        else:
            messages.success(
                request,
                _("From %(date)s, %(award)s is decided at the level “%(level)s”.")
                % {
                    "date": f"{authority.valid_from:%d/%m/%Y}",
                    "award": authority.award_type.name,
                    "level": authority.get_deciding_level_display(),
                },
            )
            return redirect("authority_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "awards/authorities/form.html", {"form": form}, status=status)
