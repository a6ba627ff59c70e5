from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html

from apps.curriculum.models import (
    AudioCache,
    AudioSource,
    MinimalPair,
    Phoneme,
    PhonemeCategory,
    PronunciationLesson,
    PronunciationLessonPair,
    PronunciationLessonPhoneme,
    UserPhonemeProgress,
    UserPronunciationLessonProgress,
)


def audio_player(source: AudioSource) -> str:
    url = source.get_url()
    if not url:
        return "—"
    return format_html('<audio controls preload="none" src="{}"></audio>', url)


@admin.register(PhonemeCategory)
class PhonemeCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_vi", "category_type", "order", "phoneme_count"]
    ordering = ["order"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_phoneme_count=Count("phonemes"))

    @admin.display(description="phonemes", ordering="_phoneme_count")
    def phoneme_count(self, obj) -> int:
        return obj._phoneme_count


class AudioSourceInline(admin.TabularInline):
    model = AudioSource
    fk_name = "phoneme"
    extra = 0
    fields = ["source_type", "voice_id", "language", "word", "audio_file", "player", "cached_until"]
    readonly_fields = ["player"]
    show_change_link = True

    @admin.display(description="listen")
    def player(self, obj) -> str:
        return audio_player(obj)


@admin.register(Phoneme)
class PhonemeAdmin(admin.ModelAdmin):
    list_display = ["ipa_symbol", "category", "vietnamese_approx", "order", "audio_count"]
    list_filter = ["category"]
    search_fields = ["ipa_symbol", "vietnamese_approx", "description_vi", "tip_vi"]
    ordering = ["order"]
    inlines = [AudioSourceInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("category")
            .annotate(_audio_count=Count("audio_sources"))
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only this phoneme's own audio can be pinned as preferred.
        if db_field.name == "preferred_audio_source":
            phoneme_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = AudioSource.objects.filter(phoneme_id=phoneme_id).select_related(
                "phoneme"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="audio files", ordering="_audio_count")
    def audio_count(self, obj) -> int:
        return obj._audio_count


@admin.register(AudioSource)
class AudioSourceAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "source_type",
        "voice_id",
        "language",
        "word",
        "player",
        "audio_duration",
        "cached_until",
        "created_at",
    ]
    list_filter = ["source_type", "language", "voice_id"]
    search_fields = ["phoneme__ipa_symbol", "voice_id", "word"]
    list_select_related = ["phoneme"]
    readonly_fields = ["player", "created_at", "updated_at"]
    autocomplete_fields = ["phoneme"]

    @admin.display(description="listen")
    def player(self, obj) -> str:
        return audio_player(obj)


@admin.register(AudioCache)
class AudioCacheAdmin(admin.ModelAdmin):
    """Statistics only: counts come from plays, never from edits."""

    list_display = [
        "audio_source",
        "usage_count",
        "last_accessed_at",
        "file_size_mb",
        "cache_age_days",
        "generated_at",
    ]
    list_select_related = ["audio_source__phoneme"]
    ordering = ["-usage_count"]
    list_filter = ["audio_source__source_type"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="size (MB)", ordering="file_size")
    def file_size_mb(self, obj) -> float:
        return obj.get_file_size_mb()

    @admin.display(description="age (days)", ordering="generated_at")
    def cache_age_days(self, obj) -> int:
        return obj.get_cache_age_days()


@admin.register(MinimalPair)
class MinimalPairAdmin(admin.ModelAdmin):
    list_display = ["__str__", "phoneme_1", "phoneme_2"]
    list_select_related = ["phoneme_1", "phoneme_2"]
    search_fields = ["word_1", "word_2"]


class LessonPhonemeInline(admin.TabularInline):
    model = PronunciationLessonPhoneme
    extra = 0


class LessonPairInline(admin.TabularInline):
    model = PronunciationLessonPair
    extra = 0


@admin.register(PronunciationLesson)
class PronunciationLessonAdmin(admin.ModelAdmin):
    list_display = ["title_vi", "title", "order", "is_published"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [LessonPhonemeInline, LessonPairInline]


@admin.register(UserPronunciationLessonProgress)
class UserLessonProgressAdmin(admin.ModelAdmin):
    list_display = ["user", "lesson", "status", "score", "completed_at"]
    list_select_related = ["user", "lesson"]
    list_filter = ["status"]


@admin.register(UserPhonemeProgress)
class UserPhonemeProgressAdmin(admin.ModelAdmin):
    list_display = ["user", "phoneme", "attempts", "correct", "mastery", "last_practised_at"]
    list_select_related = ["user", "phoneme"]
