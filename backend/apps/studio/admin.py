from django.contrib import admin

from apps.studio.models import StudioProfile


@admin.register(StudioProfile)
class StudioProfileAdmin(admin.ModelAdmin):
    list_display = ["speaker_name", "user", "gender", "speaker_accent", "licence", "updated_at"]
    list_select_related = ["user"]
    search_fields = ["speaker_name", "user__username"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "updated_at"]
