"""Read-only admin views: every write goes through services.py (blind indexes, timeline,
audit), so the admin only lets a superuser look. Personal values are shown masked."""

from django.contrib import admin

from linli.core.masking import mask_citizen_id, mask_phone
from linli.registry.models import Household, Resident


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ["pk", "dwelling", "address_kind", "householder"]
    list_select_related = ["dwelling", "householder"]
    fields = ["public_id", "dwelling", "address_kind", "number", "householder", "note", "created_at"]
    readonly_fields = fields


@admin.register(Resident)
class ResidentAdmin(ReadOnlyAdmin):
    list_display = ["name", "relation", "status", "population_type", "node"]
    list_filter = ["status", "population_type"]
    list_select_related = ["node"]
    search_fields = ["name", "name_pinyin", "name_initials"]
    fields = [
        "public_id",
        "name",
        "relation",
        "masked_citizen_id",
        "birth_date",
        "sex",
        "ethnicity",
        "masked_phone",
        "population_type",
        "separation",
        "workplace",
        "moved_in_on",
        "status",
        "archive_reason",
        "archived_on",
    ]
    readonly_fields = fields

    @admin.display(description="citizen ID")
    def masked_citizen_id(self, obj):
        return mask_citizen_id(obj.citizen_id)

    @admin.display(description="phone")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)
