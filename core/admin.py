"""Django admin for superusers: job runs and the audit log, read only."""

from django.contrib import admin

from core.models import AuditEntry, JobRun, JobRunScope


class JobRunScopeInline(admin.TabularInline):
    """The units whose subtrees the run's content may come from: who may see it."""

    model = JobRunScope
    raw_id_fields = ["unit"]
    readonly_fields = ["unit"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "unit",
        "period",
        "state",
        "progress",
        "attempts",
        "reason",
        "created_at",
        "finished_at",
    ]
    list_filter = ["kind", "state", "reason"]
    raw_id_fields = ["unit", "requested_by"]
    readonly_fields = [f.name for f in JobRun._meta.fields]
    inlines = [JobRunScopeInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "unit", "target_user"]
    list_filter = ["action"]
    readonly_fields = ["at", "actor", "action", "unit", "target_user", "detail"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
