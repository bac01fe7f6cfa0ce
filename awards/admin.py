from django import forms
from django.contrib import admin

from . import services
from .models import AwardRecord, AwardRuleSet, AwardType, BaseSalary, Discipline, Initiative, Membership, Rating


@admin.register(AwardType)
class AwardTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "granting_level", "valid_from", "valid_to", "order"]
    list_filter = ["category", "granting_level"]
    search_fields = ["code", "name"]

    def has_delete_permission(self, request, obj=None):
        return False


class RuleSetAdminForm(forms.ModelForm):
    class Meta:
        model = AwardRuleSet
        fields = [
            "award_type",
            "organisation",
            "valid_from",
            "rules",
            "quota_rule",
            "vote_rule",
            "required_documents",
            "consultation_days",
            "coefficients",
            "note",
        ]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        problems = services.rule_set_problems(
            award_type=cleaned["award_type"],
            organisation=cleaned.get("organisation"),
            valid_from=cleaned["valid_from"],
            rules=cleaned["rules"],
            quota_rule=cleaned.get("quota_rule") or {},
            vote_rule=cleaned.get("vote_rule") or {},
            coefficients=cleaned.get("coefficients") or {},
        )
        for field, messages in problems.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        return cleaned


@admin.register(AwardRuleSet)
class AwardRuleSetAdmin(admin.ModelAdmin):
    """A version of the rules is never changed: add a new one (through the same service as the rules page,
    so it is validated and audited)."""

    form = RuleSetAdminForm
    list_display = ["award_type", "organisation", "valid_from", "note", "created_at", "created_by"]
    list_filter = ["award_type"]
    list_select_related = ["award_type", "organisation", "created_by"]
    raw_id_fields = ["organisation"]
    readonly_fields = ["created_at", "created_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = services.rule_set_create(
            by=request.user,
            award_type=data["award_type"],
            organisation=data.get("organisation"),
            valid_from=data["valid_from"],
            rules=data["rules"],
            quota_rule=data.get("quota_rule") or {},
            vote_rule=data.get("vote_rule") or {},
            required_documents=data.get("required_documents") or [],
            consultation_days=data["consultation_days"],
            coefficients=data.get("coefficients") or {},
            note=data.get("note", ""),
        )
        obj.pk, obj.created_at, obj.created_by = created.pk, created.created_at, created.created_by


@admin.register(BaseSalary)
class BaseSalaryAdmin(admin.ModelAdmin):
    list_display = ["valid_from", "amount", "legal_basis"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = services.base_salary_create(
            by=request.user, amount=data["amount"], valid_from=data["valid_from"], legal_basis=data["legal_basis"]
        )
        obj.pk = created.pk


@admin.register(AwardRecord)
class AwardRecordAdmin(admin.ModelAdmin):
    list_display = ["award_type", "year", "person", "unit", "household", "decision_number", "revoked", "source"]
    list_filter = ["award_type", "year", "revoked", "source"]
    list_select_related = ["award_type", "person", "unit", "household"]
    search_fields = ["decision_number", "person__code", "person__full_name", "unit__code", "household__code"]
    raw_id_fields = ["person", "unit", "household"]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["year", "person", "unit", "rating"]
    list_filter = ["year", "rating"]
    list_select_related = ["person", "unit"]
    search_fields = ["person__code", "person__full_name", "unit__code"]
    raw_id_fields = ["person", "unit"]


@admin.register(Discipline)
class DisciplineAdmin(admin.ModelAdmin):
    list_display = ["person", "level", "start", "end", "decision_number"]
    list_filter = ["level"]
    list_select_related = ["person"]
    search_fields = ["person__code", "person__full_name", "decision_number"]
    raw_id_fields = ["person"]


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["title", "scope", "year", "decision_number"]
    list_filter = ["scope", "year"]
    search_fields = ["title", "decision_number"]
    raw_id_fields = ["authors", "unit"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["unit", "person", "year"]
    list_filter = ["year"]
    list_select_related = ["unit", "person"]
    search_fields = ["unit__code", "person__code", "person__full_name"]
    raw_id_fields = ["unit", "person"]
