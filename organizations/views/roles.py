from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizations import access, services
from organizations.forms import RoleFilterForm, RoleGrantForm, SecretariatGrantForm
from organizations.models import Council, CouncilUserObjectPermission, Unit, UnitUserObjectPermission
from thiduakt.lib import permissions


def _role_list_context(request, grant_form=None, secretariat_form=None):
    filters = RoleFilterForm(request.GET or None)
    assignments = UnitUserObjectPermission.objects.filter(
        permission__codename__in=permissions.UNIT_ROLES
    ).select_related("user", "permission", "content_object")
    if filters.is_valid():
        query = filters.cleaned_data["q"].strip()
        if query:
            assignments = assignments.filter(
                Q(user__username__icontains=query)
                | Q(content_object__code=query)
                | Q(content_object__name__icontains=query)
            )
        if filters.cleaned_data["role"]:
            assignments = assignments.filter(permission__codename=filters.cleaned_data["role"])
    secretariats = CouncilUserObjectPermission.objects.filter(
        permission__codename=permissions.SECRETARIAT
    ).select_related("user", "content_object__unit")
    return {
        "filters": filters,
        "page": Paginator(assignments.order_by("content_object__path", "user__username"), 50).get_page(
            request.GET.get("page")
        ),
        "secretariats": secretariats.order_by("content_object__name", "user__username"),
        "grant_form": grant_form or RoleGrantForm(),
        "secretariat_form": secretariat_form or SecretariatGrantForm(),
    }


@login_required
def role_list(request):
    access.require_admin(request)
    return render(request, "organizations/role_list.html", _role_list_context(request))


@login_required
@require_POST
def role_grant(request):
    access.require_admin(request)
    form = RoleGrantForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.role_grant(by=request.user, user=data["username"], role=data["role"], unit=data["unit_code"])
        except services.OrganizationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The role was granted."))
            return redirect("role_list")
    return render(request, "organizations/role_list.html", _role_list_context(request, grant_form=form), status=400)


@login_required
@require_POST
def role_revoke(request):
    access.require_admin(request)
    user = get_object_or_404(get_user_model(), pk=request.POST.get("user") or 0)
    unit = get_object_or_404(Unit, pk=request.POST.get("unit") or 0)
    role = request.POST.get("role", "")
    if role not in permissions.UNIT_ROLES:
        messages.error(request, _("Unknown role."))
        return redirect("role_list")
    try:
        services.role_revoke(by=request.user, user=user, role=role, unit=unit)
    except services.OrganizationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The role was revoked."))
    return redirect("role_list")


@login_required
@require_POST
def secretariat_grant(request):
    access.require_admin(request)
    form = SecretariatGrantForm(request.POST)
    if form.is_valid():
        try:
            services.secretariat_grant(
                by=request.user, user=form.cleaned_data["username"], council=form.cleaned_data["council"]
            )
        except services.OrganizationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The secretariat role was granted."))
            return redirect("role_list")
    return render(
        request, "organizations/role_list.html", _role_list_context(request, secretariat_form=form), status=400
    )


@login_required
@require_POST
def secretariat_revoke(request):
    access.require_admin(request)
    user = get_object_or_404(get_user_model(), pk=request.POST.get("user") or 0)
    council = get_object_or_404(Council, pk=request.POST.get("council") or 0)
    try:
        services.secretariat_revoke(by=request.user, user=user, council=council)
    except services.OrganizationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The secretariat role was revoked."))
    return redirect("role_list")
