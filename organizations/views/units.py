from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from organizations import access, services
from organizations.forms import UnitForm
from organizations.models import Unit
from organizations.search import matching_units
from thiduakt.lib import permissions

PAGE_SIZE = 50


def _with_child_counts(queryset):
    return queryset.annotate(child_count=Count("children")).order_by("path")


def _tree_roots(user):
    """Admins start at the top of the tree; everyone else at the units where they hold a role."""
    if permissions.is_system_admin(user):
        return _with_child_counts(Unit.objects.filter(parent__isnull=True))
    assigned = permissions.role_assignments(user).values("content_object_id")
    roots = list(_with_child_counts(Unit.objects.filter(pk__in=assigned)))
    # A role on an ancestor already shows the descendant: keep only the top-most units.
    return [unit for unit in roots if not any(unit.path.startswith(o.path) and o.pk != unit.pk for o in roots)]


@login_required
def unit_tree(request):
    query = request.GET.get("q", "").strip()
    context = {"query": query}
    if query:
        results = matching_units(request.user, query)  # as the search box matches them
        context["page"] = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        context["roots"] = _tree_roots(request.user)
    return render(request, "organizations/unit_tree.html", context)


@login_required
def unit_children(request, pk):
    unit = access.get_unit_for_user(request, pk)
    children = _with_child_counts(unit.children.all())
    return render(request, "organizations/unit_tree.html#node_list", {"nodes": children})


@login_required
def unit_detail(request, pk):
    unit = access.get_unit_for_user(request, pk)
    people = unit.people.order_by("search_name", "code")
    held = permissions.unit_roles(request.user, unit)
    is_admin = permissions.is_system_admin(request.user)
    context = {
        "unit": unit,
        "ancestors": unit.ancestors(),
        "children": _with_child_counts(unit.children.all()),
        "people_page": Paginator(people, 25).get_page(request.GET.get("page")),
        "households": unit.households.order_by("search_name")[:50],
        "household_count": unit.households.count(),
        "councils": unit.councils.all(),
        "role_holders": permissions.role_holders(unit),
        "predecessors": unit.successor_of.all(),
        "successors": unit.successors.all(),
        "can_admin": is_admin,
        "can_edit_people": is_admin or bool(held & access.EDITORS),
        "can_see_audit": is_admin or Unit.Role.HEAD in held,
    }
    return render(request, "organizations/unit_detail.html", context)


@login_required
def unit_create(request):
    access.require_admin(request)
    parent = None
    if request.GET.get("parent"):
        parent = Unit.objects.filter(pk=request.GET["parent"]).first() if request.GET["parent"].isdigit() else None
    form = UnitForm(request.POST or None, initial={"parent_code": parent.code if parent else ""})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = services.unit_create(
            by=request.user,
            code=data["code"],
            name=data["name"],
            short_name=data["short_name"],
            kind=data["kind"],
            level=data["level"],
            parent=data["parent_code"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            successor_of=data["predecessor_codes"],
        )
        messages.success(request, _("Unit %(name)s was created.") % {"name": unit.name})
        return redirect("unit_detail", pk=unit.pk)
    return render(request, "organizations/unit_form.html", {"form": form, "parent": parent})


@login_required
def unit_edit(request, pk):
    unit = access.get_unit_for_user(request, pk, allowed=access.ADMIN_ONLY)
    form = UnitForm(request.POST or None, instance=Unit.objects.get(pk=unit.pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.unit_update(
                by=request.user,
                unit=unit,
                successor_of=data["predecessor_codes"],
                parent=data["parent_code"],
                **{
                    name: data[name]
                    for name in ("code", "name", "short_name", "kind", "level", "valid_from", "valid_to")
                },
            )
        except services.OrganizationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The unit was saved."))
            return redirect("unit_detail", pk=unit.pk)
    return render(request, "organizations/unit_form.html", {"form": form, "unit": unit})
