from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from .models import Council, CouncilMember, Employment, Household, Person, Unit


@admin.register(Unit)
class UnitAdmin(GuardedModelAdmin):
    list_display = ["code", "name", "kind", "level", "parent", "valid_to"]
    list_filter = ["kind", "level"]
    search_fields = ["code", "name", "search_name"]
    raw_id_fields = ["parent"]
    filter_horizontal = ["successor_of"]
    list_select_related = ["parent"]


class EmploymentInline(admin.TabularInline):
    model = Employment
    extra = 0
    raw_id_fields = ["unit"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["code", "full_name", "gender", "birth_date", "position", "unit"]
    list_filter = ["gender", "position_kind"]
    search_fields = ["code", "full_name", "search_name"]
    raw_id_fields = ["unit", "user"]
    list_select_related = ["unit"]
    inlines = [EmploymentInline]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["code", "head_name", "address", "unit"]
    search_fields = ["code", "head_name", "search_name"]
    raw_id_fields = ["unit"]
    list_select_related = ["unit"]


class CouncilMemberInline(admin.TabularInline):
    model = CouncilMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Council)
class CouncilAdmin(GuardedModelAdmin):
    list_display = ["name", "unit", "established_on", "dissolved_on"]
    search_fields = ["name", "unit__name"]
    raw_id_fields = ["unit"]
    list_select_related = ["unit"]
    inlines = [CouncilMemberInline]
