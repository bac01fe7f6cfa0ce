from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from organizations import access, services
from organizations.forms import HouseholdForm, PersonForm
from organizations.models import Person, Unit
from organizations.search import matching_people
from thiduakt.lib import excel, permissions

PAGE_SIZE = 50
PERSON_FIELDS = ("code", "full_name", "gender", "birth_date", "position", "position_kind")


def people_search(user, *, query: str = "", unit: Unit | None = None):
    """People the user may see, filtered by an accent-insensitive name or a code (matched as the search box
    matches them: organizations.search), and by a unit's subtree."""
    if query:
        people = matching_people(user, query)
    else:
        people = Person.objects.filter(permissions.covered_units_q(user, field="unit__")).select_related("unit")
        people = people.order_by("search_name", "code")
    if unit is not None:
        people = people.filter(unit__path__startswith=unit.path)
    return people


@login_required
def person_list(request):
    query = request.GET.get("q", "").strip()
    unit = None
    if request.GET.get("unit"):
        unit = access.get_unit_for_user(request, request.GET["unit"]) if request.GET["unit"].isdigit() else None
    people = people_search(request.user, query=query, unit=unit)
    if request.GET.get("format") == "xlsx":
        return _people_workbook(people)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    can_add = access.can_edit_in(request.user, unit) if unit else permissions.may_edit_somewhere(request.user)
    return render(
        request, "organizations/person_list.html", {"page": page, "query": query, "unit": unit, "can_add": can_add}
    )


def _people_workbook(people):
    rows = (
        (
            p.code,
            p.full_name,
            p.get_gender_display(),
            p.birth_date,
            p.position,
            p.get_position_kind_display(),
            p.unit.code,
            p.unit.name,
        )
        for p in people.iterator(chunk_size=2000)
    )
    header = [_("Code"), _("Full name"), _("Gender"), _("Birth date"), _("Position"), _("Position kind"),
              _("Unit code"), _("Unit")]  # fmt: skip
    return excel.xlsx_response("danh-sach-ca-nhan.xlsx", [excel.SheetSpec(_("People"), header, rows)])


@login_required
def person_detail(request, pk):
    person = access.get_person_for_user(request, pk)
    held = permissions.unit_roles(request.user, person.unit)
    is_admin = permissions.is_system_admin(request.user)
    context = {
        "person": person,
        "employments": person.employments.select_related("unit").order_by("-start"),
        "can_edit": is_admin or bool(held & access.EDITORS),
        "can_see_audit": is_admin or Unit.Role.HEAD in held,
    }
    return render(request, "organizations/person_detail.html", context)


def _require_editor_of(request, unit: Unit, form, field="unit_code"):
    if not access.can_edit_in(request.user, unit):
        form.add_error(field, _("You may only place records in units where you are an officer or head."))
        return False
    return True


def _entry_unit(request) -> Unit | None:
    """The unit named by ?unit= (checked), or None; users who may edit nowhere are refused."""
    if request.GET.get("unit", "").isdigit():
        return access.get_unit_for_user(request, request.GET["unit"], allowed=access.EDITORS)
    if not permissions.may_edit_somewhere(request.user):
        raise PermissionDenied
    return None


@login_required
def person_create(request):
    unit = _entry_unit(request)
    form = PersonForm(request.POST or None, initial={"unit_code": unit.code if unit else ""})
    if (
        request.method == "POST"
        and form.is_valid()
        and _require_editor_of(request, form.cleaned_data["unit_code"], form)
    ):
        data = form.cleaned_data
        person = services.person_create(by=request.user, unit=data["unit_code"], **{f: data[f] for f in PERSON_FIELDS})
        messages.success(request, _("%(name)s was added.") % {"name": person.full_name})
        return redirect("person_detail", pk=person.pk)
    return render(request, "organizations/person_form.html", {"form": form})


@login_required
def person_edit(request, pk):
    person = access.get_person_for_user(request, pk, allowed=access.EDITORS)
    form = PersonForm(request.POST or None, instance=Person.objects.select_related("unit").get(pk=person.pk))
    if (
        request.method == "POST"
        and form.is_valid()
        and _require_editor_of(request, form.cleaned_data["unit_code"], form)
    ):
        data = form.cleaned_data
        services.person_update(
            by=request.user, person=person, unit=data["unit_code"], **{f: data[f] for f in PERSON_FIELDS}
        )
        messages.success(request, _("The person was saved."))
        return redirect("person_detail", pk=person.pk)
    return render(request, "organizations/person_form.html", {"form": form, "person": person})


@login_required
def household_detail(request, pk):
    household = access.get_household_for_user(request, pk)
    return render(
        request,
        "organizations/household_detail.html",
        {
            "household": household,
            "can_edit": access.can_edit_in(request.user, household.unit),
        },
    )


@login_required
def household_create(request):
    unit = _entry_unit(request)
    form = HouseholdForm(request.POST or None, initial={"unit_code": unit.code if unit else ""})
    if (
        request.method == "POST"
        and form.is_valid()
        and _require_editor_of(request, form.cleaned_data["unit_code"], form)
    ):
        data = form.cleaned_data
        household = services.household_create(
            by=request.user,
            code=data["code"],
            head_name=data["head_name"],
            address=data["address"],
            unit=data["unit_code"],
        )
        messages.success(request, _("The household was added."))
        return redirect("household_detail", pk=household.pk)
    return render(request, "organizations/household_form.html", {"form": form})


@login_required
def household_edit(request, pk):
    household = access.get_household_for_user(request, pk, allowed=access.EDITORS)
    form = HouseholdForm(request.POST or None, instance=type(household).objects.get(pk=household.pk))
    if (
        request.method == "POST"
        and form.is_valid()
        and _require_editor_of(request, form.cleaned_data["unit_code"], form)
    ):
        data = form.cleaned_data
        services.household_update(
            by=request.user,
            household=household,
            code=data["code"],
            head_name=data["head_name"],
            address=data["address"],
            unit=data["unit_code"],
        )
        messages.success(request, _("The household was saved."))
        return redirect("household_detail", pk=household.pk)
    return render(request, "organizations/household_form.html", {"form": form, "household": household})
