from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: events are written by `audit_record` and never changed (the database refuses it too)."""

    list_display = ["seq", "created_at", "actor_username", "verb", "object_type", "object_id", "object_repr"]
    list_display_links = ["seq"]
    search_fields = ["verb", "object_type", "object_id", "object_repr", "actor_username"]
    ordering = ["-seq"]
    show_full_result_count = False  # a COUNT(*) over millions of events on every page is not worth it

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
