"""No file enters storage through the admin except the checked upload: the phoneme page's
inline rows are read-only, the audio source form cannot change the file or what it is, and no
admin form or action takes a file."""

import shutil
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory, TestCase
from django.urls import resolve, reverse

from apps.curriculum.models import AudioSource
from tests.factories import TempMediaMixin, make_audio, make_phoneme

NATIVE = AudioSource.SourceType.NATIVE
TTS = AudioSource.SourceType.TTS
EVIL_HTML = b"<!doctype html><script>alert(document.cookie)</script>"
EVIL_SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


def media_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def post_data(response) -> dict:
    """What the browser would send back for the change page in ``response``, unchanged: the
    main form's values and every inline formset with its management form."""
    data = {}
    forms_ = [(response.context["adminform"].form, "")]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management[name].value()
        forms_ += [(form, "") for form in formset.forms]
    for form, _ in forms_:
        for name, field in form.fields.items():
            value = form[name].value()  # already prepared for the widget
            if value is None or isinstance(field, forms.FileField):
                continue
            if isinstance(field, forms.BooleanField):
                if value:
                    data[form.add_prefix(name)] = "on"
                continue
            data[form.add_prefix(name)] = value
    return data


class AdminStorageTestCase(TempMediaMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = get_user_model().objects.create_superuser(
            "admin", "admin@example.com", "a-long-test-password"
        )

    def setUp(self):
        for entry in Path(settings.MEDIA_ROOT).iterdir():
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        self.client.force_login(self.admin)
        self.phoneme = make_phoneme("iː")
        self.source = make_audio(self.phoneme, NATIVE)
        self.stored = media_files()


class PhonemeInlineTests(AdminStorageTestCase):
    def change_url(self) -> str:
        return reverse("admin:curriculum_phoneme_change", args=[self.phoneme.pk])

    def test_the_phoneme_page_has_no_file_input_and_no_editable_source_type(self):
        response = self.client.get(self.change_url())

        html = response.content.decode()
        self.assertEqual(response.status_code, 200)
        self.assertNotIn('type="file"', html)
        self.assertNotIn('name="audio_sources-0-source_type"', html)
        self.assertNotIn('name="audio_sources-0-audio_file"', html)
        self.assertNotIn('name="audio_sources-0-engine"', html)

    def test_the_inline_shows_the_audio_and_links_to_the_checked_upload(self):
        html = self.client.get(self.change_url()).content.decode()

        upload = reverse("admin:curriculum_audiosource_upload")
        self.assertIn(f'href="{upload}?phoneme={self.phoneme.pk}"', html)
        self.assertIn(f'<audio controls preload="none" src="{self.source.get_url()}"', html)
        for shown in ("Native Speaker Recording", self.source.voice_id, "en-US"):
            self.assertIn(shown, html)

    def test_the_inline_adds_no_rows(self):
        inline = admin.site._registry[type(self.phoneme)].get_inline_instances(self.request())
        audio_inline = next(i for i in inline if i.model is AudioSource)

        self.assertFalse(audio_inline.has_add_permission(self.request(), self.phoneme))
        self.assertTrue(audio_inline.has_delete_permission(self.request(), self.phoneme))

    def test_a_row_can_still_be_deleted(self):
        data = post_data(self.client.get(self.change_url()))
        data["audio_sources-0-DELETE"] = "on"

        response = self.client.post(self.change_url(), data)

        self.assertEqual(response.status_code, 302)
        self.assertFalse(AudioSource.objects.exists())

    def test_saving_the_page_unchanged_works(self):
        data = post_data(self.client.get(self.change_url()))

        response = self.client.post(self.change_url(), data)

        self.assertEqual(response.status_code, 302, response.content[:2000])
        self.assertEqual(AudioSource.objects.get().audio_file.name, self.source.audio_file.name)

    def test_a_file_posted_into_a_new_inline_row_is_not_stored(self):
        data = post_data(self.client.get(self.change_url()))
        data.update(
            {
                "audio_sources-TOTAL_FORMS": "2",
                "audio_sources-1-phoneme": str(self.phoneme.pk),
                "audio_sources-1-source_type": NATIVE,
                "audio_sources-1-voice_id": "x",
                "audio_sources-1-language": "en-US",
                "audio_sources-1-audio_duration": "1",
                "audio_sources-1-audio_file": SimpleUploadedFile(
                    "evil.html", EVIL_HTML, "text/html"
                ),
            }
        )

        self.client.post(self.change_url(), data)

        self.assertEqual(AudioSource.objects.count(), 1)
        self.assertEqual(media_files(), self.stored)

    def test_a_file_posted_over_an_existing_inline_row_is_not_stored(self):
        data = post_data(self.client.get(self.change_url()))
        data["audio_sources-0-audio_file"] = SimpleUploadedFile(
            "evil.svg", EVIL_SVG, "image/svg+xml"
        )
        data["audio_sources-0-source_type"] = TTS

        self.client.post(self.change_url(), data)

        source = AudioSource.objects.get()
        self.assertEqual(source.audio_file.name, self.source.audio_file.name)
        self.assertEqual(source.source_type, NATIVE)
        self.assertEqual(media_files(), self.stored)

    def request(self):
        request = RequestFactory().get(self.change_url())
        request.user = self.admin
        request.resolver_match = resolve(self.change_url())
        return request


class AudioSourceChangeFormTests(AdminStorageTestCase):
    def change_url(self) -> str:
        return reverse("admin:curriculum_audiosource_change", args=[self.source.pk])

    def test_the_file_and_what_it_is_are_read_only(self):
        response = self.client.get(self.change_url())

        form = response.context["adminform"].form
        for name in (
            "audio_file",
            "source_type",
            "engine",
            "tts_rate",
            "tts_pitch",
            "acoustic_verdict",
            "acoustic_heard_as",
            "audio_duration",
        ):
            with self.subTest(field=name):
                self.assertNotIn(name, form.fields)
        self.assertNotIn('type="file"', response.content.decode())

    def test_posting_a_file_and_another_type_changes_neither(self):
        data = post_data(self.client.get(self.change_url()))
        data.update(
            {
                "audio_file": SimpleUploadedFile("evil.html", EVIL_HTML, "text/html"),
                "source_type": TTS,
                "engine": "evil",
                "acoustic_verdict": "passed",
            }
        )

        response = self.client.post(self.change_url(), data)

        self.assertEqual(response.status_code, 302, response.content[:2000])
        source = AudioSource.objects.get()
        self.assertEqual(
            (source.audio_file.name, source.source_type, source.engine, source.acoustic_verdict),
            (self.source.audio_file.name, NATIVE, "", self.source.acoustic_verdict),
        )
        self.assertEqual(media_files(), self.stored)

    def test_the_add_page_leads_to_the_checked_upload(self):
        response = self.client.post(
            reverse("admin:curriculum_audiosource_add"),
            {
                "phoneme": self.phoneme.pk,
                "source_type": NATIVE,
                "audio_file": SimpleUploadedFile("evil.html", EVIL_HTML, "text/html"),
            },
        )

        self.assertRedirects(
            response, reverse("admin:curriculum_audiosource_upload"), fetch_redirect_response=False
        )
        self.assertEqual(AudioSource.objects.count(), 1)
        self.assertEqual(media_files(), self.stored)


class NoAdminFormTakesFilesTests(AdminStorageTestCase):
    """The checked upload pages are the admin's only file inputs."""

    def request(self):
        request = RequestFactory().get("/admin/")
        request.user = self.admin
        request.resolver_match = resolve("/admin/")
        return request

    def file_fields(self, form_class) -> list[str]:
        return [
            name
            for name, field in form_class.base_fields.items()
            if isinstance(field, forms.FileField)
        ]

    def test_no_change_form_or_inline_has_a_file_field(self):
        request = self.request()
        for model, model_admin in admin.site._registry.items():
            with self.subTest(model=model.__name__):
                self.assertEqual(self.file_fields(model_admin.get_form(request)), [])
                for inline in model_admin.get_inline_instances(request):
                    formset = inline.get_formset(request)
                    self.assertEqual(self.file_fields(formset.form), [], inline)

    def test_the_audio_actions_write_no_files(self):
        model_admin = admin.site._registry[AudioSource]
        actions = set(model_admin.get_actions(self.request()))
        self.assertEqual(actions, {"delete_selected", "pin_as_preferred"})

        response = self.client.post(
            reverse("admin:curriculum_audiosource_changelist"),
            {"action": "pin_as_preferred", "_selected_action": [self.source.pk]},
        )

        self.assertEqual(response.status_code, 302)
        self.phoneme.refresh_from_db()
        self.assertEqual(self.phoneme.preferred_audio_source, self.source)
        self.assertEqual(media_files(), self.stored)
