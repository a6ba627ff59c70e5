"""Admin for the curriculum: categories, phonemes, minimal pairs, lessons and progress."""

from django.contrib import admin
from django.db.models import Count

from apps.curriculum.admin.audio import AudioSourceInline
from apps.curriculum.models import (
    AudioSource,
    MinimalPair,
    Phoneme,
    PhonemeCategory,
    PhonemeTip,
    PronunciationLesson,
    PronunciationLessonPair,
    PronunciationLessonPhoneme,
    UserPhonemeProgress,
    UserPronunciationLessonProgress,
)


@admin.register(PhonemeCategory)
class PhonemeCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_vi", "category_type", "order", "phoneme_count"]
    ordering = ["order"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_phoneme_count=Count("phonemes"))

    @admin.display(description="phonemes", ordering="_phoneme_count")
    def phoneme_count(self, obj) -> int:
        return obj._phoneme_count


class PhonemeTipInline(admin.TabularInline):
    model = PhonemeTip
    extra = 0


@admin.register(Phoneme)
class PhonemeAdmin(admin.ModelAdmin):
    list_display = ["ipa_symbol", "category", "vietnamese_approx", "order", "audio_count"]
    list_filter = ["category"]
    search_fields = ["ipa_symbol", "vietnamese_approx", "description_vi", "tip_vi"]
    ordering = ["order"]
    inlines = [PhonemeTipInline, AudioSourceInline]

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


@admin.register(MinimalPair)
class MinimalPairAdmin(admin.ModelAdmin):
    list_display = ["__str__", "phoneme_1", "phoneme_2", "kind", "accents"]
    list_filter = ["kind", "accents"]
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
    list_display = ["title_vi", "title", "order", "stage", "is_published"]
    list_filter = ["stage", "is_published"]
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
