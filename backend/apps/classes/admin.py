"""Classes in the admin (staff only). Teachers are the ``teachers`` group: add a user to it
on the user's page (or ``manage.py teacher_add``)."""

from django.contrib import admin

from apps.classes.models import Assignment, Classroom, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]
    readonly_fields = ["joined_at", "share_changed_at"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0


@admin.register(Classroom)
class ClassroomAdmin(admin.ModelAdmin):
    list_display = ["name", "teacher", "join_code", "created_at"]
    search_fields = ["name", "join_code", "teacher__username"]
    raw_id_fields = ["teacher"]
    readonly_fields = ["join_code"]
    inlines = [MembershipInline, AssignmentInline]

    def has_add_permission(self, request) -> bool:
        # A class needs a fresh join code: teachers create classes on their page.
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "classroom", "joined_at", "share_recordings"]
    list_filter = ["share_recordings"]
    search_fields = ["user__username", "classroom__name"]
    raw_id_fields = ["user", "classroom"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["lesson", "classroom", "due"]
    raw_id_fields = ["classroom"]
