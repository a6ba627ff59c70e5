from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html

from apps.curriculum.analytics import audio_analytics
from apps.curriculum.forms import NativeRecordingAdminForm, ReplaceRecordingForm
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
from apps.curriculum.services.recordings import RecordingRejected, phoneme_pin_audio
from apps.curriculum.uploads import too_large_message


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


def acoustic_check(source: AudioSource) -> str:
    check = source.metadata.get("acoustic_check") if isinstance(source.metadata, dict) else None
    if not isinstance(check, dict) or check.get("passed") is None:
        return "—"
    if check["passed"]:
        return format_html('<span title="{}">✓</span>', check.get("nearest") or check.get("rule"))
    heard = check.get("heard_as") or check.get("nearest")
    return format_html(
        '<strong style="color:#b00" title="formants F1 {} F2 {}">⚠ {}</strong>',
        check.get("f1"),
        check.get("f2"),
        f"heard as /{heard}/" if heard else "wrong glide",
    )


@admin.register(AudioSource)
class AudioSourceAdmin(admin.ModelAdmin):
    """Native recordings are added and replaced only through the upload views, which check
    the file's content; the file itself is not editable in the change form."""

    list_display = [
        "__str__",
        "source_type",
        "voice_id",
        "language",
        "word",
        "player",
        "acoustic",
        "audio_duration",
        "cached_until",
        "created_at",
    ]
    list_filter = ["source_type", "language", "voice_id"]
    search_fields = ["phoneme__ipa_symbol", "voice_id", "word"]
    list_select_related = ["phoneme"]
    readonly_fields = [
        "audio_file",
        "player",
        "acoustic",
        "audio_duration",
        "created_at",
        "updated_at",
    ]
    autocomplete_fields = ["phoneme"]
    actions = ["pin_as_preferred"]
    change_list_template = "admin/curriculum/audiosource/change_list.html"
    change_form_template = "admin/curriculum/audiosource/change_form.html"

    @admin.display(description="listen")
    def player(self, obj) -> str:
        return audio_player(obj)

    @admin.display(description="acoustic check")
    def acoustic(self, obj) -> str:
        return acoustic_check(obj)

    def get_urls(self):
        urls = [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="curriculum_audiosource_upload",
            ),
            path(
                "<int:pk>/replace/",
                self.admin_site.admin_view(self.replace_view),
                name="curriculum_audiosource_replace",
            ),
        ]
        return urls + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        # Every new file goes through the checked upload.
        return HttpResponseRedirect(reverse("admin:curriculum_audiosource_upload"))

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = NativeRecordingAdminForm(
            request.POST or None,
            request.FILES or None,
            initial={"phoneme": request.GET.get("phoneme")},
        )
        return self._upload_page(request, form, "Upload a native-speaker recording", "Stored")

    def replace_view(self, request, pk: int):
        source = get_object_or_404(AudioSource, pk=pk, source_type=AudioSource.SourceType.NATIVE)
        if not self.has_change_permission(request, source):
            raise PermissionDenied
        form = ReplaceRecordingForm(request.POST or None, request.FILES or None, source=source)
        return self._upload_page(request, form, f"Replace the recording of {source}", "Replaced")

    def _upload_page(self, request, form, title: str, done: str):
        """Show the form; on a valid POST store the file (the service checks its content)."""
        if request.method == "POST":
            if request.upload_too_large:
                form.add_error(None, too_large_message())
            elif form.is_valid():
                try:
                    source = form.store(uploaded_by=request.user.get_username())
                except RecordingRejected as exc:
                    form.add_error("file", str(exc))
                else:
                    self.message_user(request, f"{done} {source}: {source.audio_duration:.2f} s.")
                    self._warn_about_check(request, source)
                    return HttpResponseRedirect(
                        reverse("admin:curriculum_audiosource_change", args=[source.pk])
                    )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
        }
        return render(request, "admin/curriculum/audiosource/upload.html", context)

    def _warn_about_check(self, request, source: AudioSource) -> None:
        check = source.metadata.get("acoustic_check") or {}
        if check.get("passed") is False:
            heard = check.get("heard_as") or check.get("nearest")
            self.message_user(
                request,
                f"Acoustic check: this recording sounds like /{heard}/, not "
                f"/{source.phoneme.ipa_symbol}/. Is it on the right phoneme? (Kept, flagged.)",
                level=messages.WARNING,
            )

    @admin.action(description="Pin as the audio learners hear for its phoneme")
    def pin_as_preferred(self, request, queryset):
        chosen = list(queryset.select_related("phoneme"))
        phonemes = [source.phoneme_id for source in chosen]
        if len(set(phonemes)) != len(phonemes):
            self.message_user(request, "Choose one source per phoneme.", level=messages.ERROR)
            return
        for source in chosen:
            try:
                phoneme_pin_audio(source.phoneme, source)
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), level=messages.ERROR)
                return
        self.message_user(request, f"Pinned {len(chosen)} source(s).")


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
    change_list_template = "admin/curriculum/audiocache/change_list.html"

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

    def get_urls(self):
        analytics = path(
            "analytics/",
            self.admin_site.admin_view(self.analytics_view),
            name="curriculum_audio_analytics",
        )
        return [analytics, *super().get_urls()]

    def analytics_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        data = audio_analytics()
        most = max((plays for _, plays in data["per_phoneme"]), default=0) or 1
        bars = []
        for index, (phoneme, plays) in enumerate(data["per_phoneme"]):
            height = round(plays / most * 160)  # bars stand on a baseline at y = 170
            bars.append(
                {
                    "phoneme": phoneme,
                    "plays": plays,
                    "height": height,
                    "y": 170 - height,
                    "x": index * 22,
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Audio analytics",
            "data": data,
            "bars": bars,
            "chart_width": len(bars) * 22,
        }
        return render(request, "admin/curriculum/analytics.html", context)


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
