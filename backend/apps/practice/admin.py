"""Admin for what learners do: read-mostly lists for staff (support, research)."""

from django.contrib import admin

from apps.practice.models import DrillAttempt, LearnerProfile, ReviewCard, VowelRecording


@admin.register(LearnerProfile)
class LearnerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "voice", "created_at"]
    list_filter = ["voice"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]


@admin.register(DrillAttempt)
class DrillAttemptAdmin(admin.ModelAdmin):
    list_display = ["user", "pair", "accent", "created_at", "answered_at", "correct"]
    list_filter = ["correct", "accent"]
    search_fields = ["user__username", "pair__word_1", "pair__word_2"]
    list_select_related = ["user", "pair"]
    raw_id_fields = ["user", "pair", "lesson", "audio_source"]
    readonly_fields = ["answered_at", "choice", "correct"]


@admin.register(ReviewCard)
class ReviewCardAdmin(admin.ModelAdmin):
    list_display = ["user", "pair", "due", "reviews", "lapses", "last_reviewed_at"]
    search_fields = ["user__username", "pair__word_1", "pair__word_2"]
    list_select_related = ["user", "pair"]
    raw_id_fields = ["user", "pair"]
    readonly_fields = ["card"]


@admin.register(VowelRecording)
class VowelRecordingAdmin(admin.ModelAdmin):
    list_display = ["user", "phoneme", "accent", "voice", "verdict", "heard_as", "created_at"]
    list_filter = ["verdict", "accent", "voice"]
    search_fields = ["user__username"]
    list_select_related = ["user", "phoneme"]
    raw_id_fields = ["user", "phoneme"]
    readonly_fields = ["file_name", "f1", "f2", "distance_bark"]
