"""The catalogue (categories, time limits) and departments are configuration: the
superuser edits them here. Appeals themselves are read-only: every change goes through the
workflow (services.py), never through a form that could skip it."""

from django.contrib import admin

from linli.appeals.models import Appeal, Category, Department, DepartmentLiaison, TimeLimit


class TimeLimitInline(admin.TabularInline):
    model = TimeLimit
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "parent", "sort", "active"]
    list_filter = ["active", "parent"]
    search_fields = ["name", "code", "keywords"]
    inlines = [TimeLimitInline]


@admin.register(TimeLimit)
class TimeLimitAdmin(admin.ModelAdmin):
    list_display = ["category", "urgency", "response_amount", "response_unit", "handle_amount", "handle_unit"]
    list_filter = ["urgency"]


class LiaisonInline(admin.TabularInline):
    model = DepartmentLiaison
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "node", "active"]
    list_filter = ["kind", "active"]
    raw_id_fields = ["node"]
    inlines = [LiaisonInline]


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "source", "category", "node", "registered_at", "handle_due_at"]
    list_filter = ["status", "source", "urgency"]
    fields = ["public_id", "title", "status", "source", "source_ref", "category", "node", "registered_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
