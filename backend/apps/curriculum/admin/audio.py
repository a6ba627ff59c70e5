"""Admin for the audio system: audio sources (uploads go through the checked service),
play statistics and the analytics page."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html

from apps.core.storage import StorageUnavailable
from apps.core.uploads import too_large_message
from apps.curriculum.audio.analytics import audio_analytics
from apps.curriculum.audio.forms import NativeRecordingAdminForm, ReplaceRecordingForm
from apps.curriculum.audio.provenance import audio_provenance
from apps.curriculum.audio.recordings import RecordingRejected, phoneme_pin_audio
from apps.curriculum.models import AcousticVerdict, AudioCache, AudioSource


def audio_player(source: AudioSource) -> str:
    url = source.get_url()
    if not url:
        return "—"
    return format_html('<audio controls preload="none" src="{}"></audio>', url)


class AudioSourceInline(admin.TabularInline):
    """The phoneme page's audio, read-only: files enter storage only through the checked
    upload page (linked under the table), which decodes them first. A row may be deleted."""

    model = AudioSource
    fk_name = "phoneme"
    extra = 0
    fields = ["player", "source_type", "voice_id", "language", "word", "verdict"]
    readonly_fields = fields
    show_change_link = True
    template = "admin/curriculum/phoneme/audio_inline.html"

    class Media:
        css = {"all": ["curriculum/admin.css"]}

    @admin.display(description="listen")
    def player(self, obj) -> str:
        return audio_player(obj)

    @admin.display(description="acoustic check")
    def verdict(self, obj) -> str:
        return acoustic_check(obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def acoustic_check(source: AudioSource) -> str:
    measured = (source.metadata or {}).get("acoustic") or {}
    if source.acoustic_verdict == AcousticVerdict.NOT_CHECKED:
        return "—"
    if source.acoustic_verdict == AcousticVerdict.PASSED:
        return format_html(
            '<span title="{}">✓</span>', measured.get("nearest") or measured.get("rule") or ""
        )
    heard = source.acoustic_heard_as
    return format_html(
        '<strong class="acoustic-failed" title="formants F1 {} F2 {}">⚠ {}</strong>',
        measured.get("f1"),
        measured.get("f2"),
        f"heard as /{heard}/" if heard else _failed_rules(measured),
    )


def _failed_rules(measured: dict) -> str:
    """What a check without a nearest sound found wrong (a consonant's rules, a glide)."""
    rules = measured.get("failures") or []
    if rules:
        return "; ".join(str(rule) for rule in rules)
    return f"expected: {measured['rule']}" if measured.get("rule") else "failed"


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
        "provenance",
        "audio_duration",
        "cached_until",
        "created_at",
    ]
    list_filter = ["source_type", "language", "voice_id"]
    search_fields = ["phoneme__ipa_symbol", "voice_id", "word"]
    list_select_related = ["phoneme"]
    # What the file is and what was measured in it come from the checked upload or the
    # synthesis service; staff edit only the labels around it.
    readonly_fields = [
        "audio_file",
        "player",
        "source_type",
        "engine",
        "tts_rate",
        "tts_pitch",
        "acoustic",
        "provenance",
        "acoustic_verdict",
        "acoustic_heard_as",
        "audio_duration",
        "created_at",
        "updated_at",
    ]
    autocomplete_fields = ["phoneme"]
    actions = ["pin_as_preferred"]
    change_list_template = "admin/curriculum/audiosource/change_list.html"
    change_form_template = "admin/curriculum/audiosource/change_form.html"

    class Media:
        css = {"all": ["curriculum/admin.css"]}

    @admin.display(description="listen")
    def player(self, obj) -> str:
        return audio_player(obj)

    @admin.display(description="acoustic check")
    def acoustic(self, obj) -> str:
        return acoustic_check(obj)

    @admin.display(description="made by")
    def provenance(self, obj) -> str:
        made = audio_provenance(obj)
        who = made.speaker or " ".join(filter(None, [made.engine, made.voice])) or "—"
        details = " · ".join(filter(None, [who, made.date, made.licence]))
        return format_html('<span title="{}">{}</span>', made.text_vi, details)

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
                except StorageUnavailable as exc:
                    form.add_error(None, f"{exc} Try again later, or tell the administrator.")
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
        if source.acoustic_verdict == AcousticVerdict.FAILED:
            heard = source.acoustic_heard_as or "another sound"
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
        most = max((phoneme.plays for phoneme in data["per_phoneme"]), default=0) or 1
        bars = []
        for index, phoneme in enumerate(data["per_phoneme"]):
            plays = phoneme.plays
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
