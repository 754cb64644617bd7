"""Django admin for superusers. Day-to-day people management happens in the portal itself."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from campaign.models import OrgUnit, RoleGrant, UnitStatistics, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    raw_id_fields = ["unit", "granted_by"]
    # Grants change guardian permissions too: they are made through the portal's services.
    readonly_fields = ["unit", "role", "granted_by", "granted_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "phone", "email", "is_active", "last_login"]
    search_fields = ["username", "full_name", "phone", "email"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("Campaign"), {"fields": ["full_name", "phone"]}),)
    inlines = [RoleGrantInline]


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "category", "ownership", "students", "is_active"]
    list_filter = ["kind", "category", "ownership", "is_active"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path", "depth", "created_at"]

    def has_add_permission(self, request):
        # A unit's path is set by campaign.services.orgunit_create; add units in the portal.
        return False


admin.site.register(UnitStatistics)
admin.site.site_header = _("Campaign portal administration")
