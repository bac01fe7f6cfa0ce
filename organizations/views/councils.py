from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizations import access, services
from organizations.forms import CouncilForm, CouncilMemberForm
from organizations.models import CouncilMember, Unit
from thiduakt.lib import permissions

MANAGERS = frozenset({"admin", "secretariat"})


@login_required
def council_list(request):
    councils = access.visible_councils(request.user).select_related("unit").order_by("unit__path", "name")
    page = Paginator(councils, 50).get_page(request.GET.get("page"))
    return render(request, "organizations/council_list.html", {"page": page})


@login_required
def council_detail(request, pk):
    council, relation = access.get_council_for_user(request, pk)
    members = council.members.select_related("user").order_by("end", "role", "user__username")
    return render(
        request,
        "organizations/council_detail.html",
        {
            "council": council,
            "members": members,
            "secretariat": permissions.secretariat_users(council),
            "can_manage": relation in MANAGERS,
            "can_admin": relation == "admin",
            "member_form": CouncilMemberForm(),
        },
    )


@login_required
def council_create(request):
    access.require_admin(request)
    unit = Unit.objects.filter(pk=request.GET["unit"]).first() if request.GET.get("unit", "").isdigit() else None
    form = CouncilForm(request.POST or None, initial={"unit_code": unit.code if unit else ""})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        council = services.council_create(
            by=request.user, unit=data["unit_code"], name=data["name"], established_on=data["established_on"]
        )
        messages.success(request, _("The council was created."))
        return redirect("council_detail", pk=council.pk)
    return render(request, "organizations/council_form.html", {"form": form})


@login_required
def council_edit(request, pk):
    council, _relation = access.get_council_for_user(request, pk, allowed=frozenset({"admin"}))
    form = CouncilForm(request.POST or None, instance=type(council).objects.get(pk=council.pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.council_update(
            by=request.user,
            council=council,
            unit=data["unit_code"],
            name=data["name"],
            established_on=data["established_on"],
            dissolved_on=data["dissolved_on"],
        )
        messages.success(request, _("The council was saved."))
        return redirect("council_detail", pk=council.pk)
    return render(request, "organizations/council_form.html", {"form": form, "council": council})


@login_required
@require_POST
def council_member_add(request, pk):
    council, _relation = access.get_council_for_user(request, pk, allowed=MANAGERS)
    form = CouncilMemberForm(request.POST)
    if form.is_valid():
        try:
            services.council_member_add(
                by=request.user,
                council=council,
                user=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
                voting=form.cleaned_data["voting"],
            )
        except services.OrganizationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The member was added."))
        return redirect("council_detail", pk=council.pk)
    members = council.members.select_related("user").order_by("end", "role", "user__username")
    return render(
        request,
        "organizations/council_detail.html",
        {
            "council": council,
            "members": members,
            "secretariat": permissions.secretariat_users(council),
            "can_manage": True,
            "can_admin": _relation == "admin",
            "member_form": form,
        },
        status=400,
    )


@login_required
@require_POST
def council_member_end(request, pk, member_pk):
    council, _relation = access.get_council_for_user(request, pk, allowed=MANAGERS)
    member = get_object_or_404(CouncilMember, pk=member_pk, council=council)
    try:
        services.council_member_end(by=request.user, member=member)
    except services.OrganizationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The membership was ended."))
    return redirect("council_detail", pk=council.pk)
