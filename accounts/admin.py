"""Django admin for platform administrators. Writes that carry rules go through services:
organisations and users are validated by their model validators; API keys are only created
on the API clients page (the key must be shown once), so the admin shows them read-only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiClient, Organization, SecurityEvent, User


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "uscc", "region_code", "tier", "is_active"]
    list_filter = ["kind", "tier", "is_active"]
    search_fields = ["name", "uscc"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "organization", "roles", "is_active"]
    list_filter = ["is_active", "organization__kind"]
    fieldsets = [
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Platform"), {"fields": ["organization", "roles", "is_service_account"]}),
    ]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiClient)
class ApiClientAdmin(ReadOnlyAdmin):
    list_display = ["name", "organization", "key_prefix", "created_at", "revoked_at"]


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "seq", "kind", "result", "username", "organization", "ip", "path"]
    list_filter = ["kind", "result"]
