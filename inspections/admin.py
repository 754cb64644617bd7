"""Django admin for superusers: the inspections read only. Plans, visits and their sealed
records change through the portal's services (the seal, the audit log), never here."""

from django.contrib import admin

from inspections.models import Amendment, Answer, Circular, InspectionPlan, Visit


class ReadOnly(admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InspectionPlan)
class InspectionPlanAdmin(ReadOnly):
    list_display = ["title", "city", "state", "period_start", "period_end", "draw_size"]
    list_filter = ["state"]


@admin.register(Visit)
class VisitAdmin(ReadOnly):
    list_display = ["plan", "school", "state", "started_at", "finished_at", "sealed_digest"]
    list_filter = ["state"]
    raw_id_fields = ["school", "county", "city"]


@admin.register(Answer)
class AnswerAdmin(ReadOnly):
    list_display = ["visit", "item", "recheck", "result", "value", "answered_at"]
    list_filter = ["result"]


@admin.register(Amendment)
class AmendmentAdmin(ReadOnly):
    list_display = ["visit", "answer", "field", "by", "at"]


@admin.register(Circular)
class CircularAdmin(ReadOnly):
    list_display = ["doc_number", "title", "state", "issued_on"]
    list_filter = ["state"]
