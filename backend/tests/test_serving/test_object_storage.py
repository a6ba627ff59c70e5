"""Media in an S3 bucket: the settings that select it, and the product against a real S3
server (SeaweedFS on 127.0.0.1, started by ``scripts/s3-test-server.sh`` in ``.ci/run``).

Uploads, on-demand generation, replacement, deletion and cleanup keep the bucket in step with
the rows; the URLs the chart gets are served by the bucket itself, byte ranges included, with
the audio type read from each file's bytes; nothing that is not audio is served with a type a
browser would render. The settings tests run anywhere; the bucket tests need
``PHATAM_TEST_S3_ENDPOINT``.
"""

import io
import json
import os
import re
import subprocess
import sys
import unittest
import urllib.error
import urllib.request
from datetime import timedelta
from functools import cache
from pathlib import Path
from unittest import mock
from uuid import uuid4

import boto3
from botocore.config import Config
from django.conf import settings
from django.core.cache import cache as django_cache
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import SimpleTestCase, TestCase, override_settings
from django.utils import timezone

from apps.core.storage import StorageUnavailable
from apps.curriculum.audio.recordings import Speaker, native_recording_add, native_recording_replace
from apps.curriculum.audio.s3 import AudioS3Storage
from apps.curriculum.models import AudioSource
from speech.formats import FORMATS
from speech.tts.locmem import LocMemEngine
from tests import audio_fixtures
from tests.factories import TempMediaMixin, make_category, make_phoneme, make_user

BACKEND_DIR = Path(settings.BASE_DIR)
S3_ENDPOINT = os.environ.get("PHATAM_TEST_S3_ENDPOINT", "").rstrip("/")
# The defaults are scripts/s3-test-server.sh's.
S3_BUCKET = os.environ.get("PHATAM_TEST_S3_BUCKET", "phatam-test")
S3_PUBLIC_BUCKET = os.environ.get("PHATAM_TEST_S3_PUBLIC_BUCKET", "phatam-test-public")
S3_ACCESS_KEY = os.environ.get("PHATAM_TEST_S3_ACCESS_KEY", "phatam-test")
S3_SECRET_KEY = os.environ.get("PHATAM_TEST_S3_SECRET_KEY", "phatam-test-secret")

needs_s3 = unittest.skipUnless(
    S3_ENDPOINT,
    "needs an S3 server: run `scripts/s3-test-server.sh start` and set PHATAM_TEST_S3_ENDPOINT "
    "(.ci/run does both)",
)

FINAL_NAME = re.compile(r"^phonemes/audio/\d{4}/\d{2}/\d{2}/[0-9a-f]{32}\.(\w+)$")
GENERATED = AudioSource.SourceType.GENERATED
MEM_ENGINES = override_settings(
    PHATAM_TTS_ENGINES={"mem": {"BACKEND": "speech.tts.locmem.LocMemEngine"}},
    PHATAM_VOICES={"en-US": ["mem:us"], "en-GB": ["mem:uk"]},
)
# Variables of the developer's or CI's shell that would change the settings under test.
_SETTINGS_VARIABLES = re.compile(
    r"^(PHATAM_S3_|AWS_|PHATAM_SERVE_MEDIA$|PHATAM_PAYLOAD_SECONDS$|DEBUG$|SECRET_KEY$)"
)


def settings_with(code: str, **env: str) -> subprocess.CompletedProcess:
    """Import config/settings.py as ``settings`` in a fresh process whose environment has
    ``env``, then run ``code``."""
    environment = {k: v for k, v in os.environ.items() if not _SETTINGS_VARIABLES.match(k)}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"from config import settings; {code}"],
        cwd=BACKEND_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def media_settings(**env: str) -> dict:
    """``STORAGES["default"]`` and ``PHATAM_SERVE_MEDIA`` as config/settings.py makes them."""
    code = (
        "import json; print(json.dumps({"
        "'default': settings.STORAGES['default'], 'serve': settings.PHATAM_SERVE_MEDIA}))"
    )
    result = settings_with(code, **env)
    if result.returncode != 0:
        raise AssertionError(result.stderr)
    return json.loads(result.stdout)


class ObjectStorageSettingsTests(SimpleTestCase):
    def test_the_embedded_default_keeps_media_on_local_files_served_by_django(self):
        media = media_settings()
        self.assertEqual(media["default"]["BACKEND"], "django.core.files.storage.FileSystemStorage")
        self.assertTrue(media["serve"])

    def test_a_bucket_moves_media_to_s3_with_presigned_urls(self):
        media = media_settings(
            PHATAM_S3_BUCKET="phatam-media",
            PHATAM_S3_ENDPOINT_URL="https://s3.example",
            PHATAM_S3_REGION="eu-central-1",
            AWS_ACCESS_KEY_ID="key-id",
            AWS_SECRET_ACCESS_KEY="key-secret",
        )
        options = media["default"]["OPTIONS"]
        self.assertEqual(media["default"]["BACKEND"], "apps.curriculum.audio.s3.AudioS3Storage")
        self.assertFalse(media["serve"], "the bucket serves media, not Django")
        self.assertEqual(
            (options["bucket_name"], options["endpoint_url"], options["region_name"]),
            ("phatam-media", "https://s3.example", "eu-central-1"),
        )
        self.assertEqual((options["access_key"], options["secret_key"]), ("key-id", "key-secret"))
        self.assertTrue(options["querystring_auth"])
        self.assertEqual(options["querystring_expire"], 3600)
        self.assertIsNone(options["default_acl"])
        self.assertIsNone(options["custom_domain"])
        self.assertEqual(options["addressing_style"], "path")

    def test_public_mode_serves_public_objects_from_the_custom_domain(self):
        media = media_settings(
            PHATAM_S3_BUCKET="phatam-media",
            PHATAM_S3_PRESIGNED="0",
            PHATAM_S3_CUSTOM_DOMAIN="https://media.phatam.example/",
        )
        options = media["default"]["OPTIONS"]
        self.assertFalse(options["querystring_auth"])
        self.assertEqual(options["default_acl"], "public-read")
        self.assertEqual(
            (options["url_protocol"], options["custom_domain"]),
            ("https:", "media.phatam.example"),
        )
        self.assertIn("public", options["object_parameters"]["CacheControl"])

    def test_django_can_still_be_told_to_serve_media(self):
        media = media_settings(PHATAM_S3_BUCKET="phatam-media", PHATAM_SERVE_MEDIA="1")
        self.assertTrue(media["serve"])

    def test_inconsistent_object_storage_settings_are_clear_errors(self):
        cases = [
            ({"PHATAM_S3_ENDPOINT_URL": "https://s3.example"}, "PHATAM_S3_BUCKET is not"),
            (
                {"PHATAM_S3_BUCKET": "b", "PHATAM_S3_CUSTOM_DOMAIN": "cdn.example"},
                "set PHATAM_S3_PRESIGNED=0",
            ),
            (
                {"PHATAM_S3_BUCKET": "b", "PHATAM_S3_URL_SECONDS": "60"},
                "PHATAM_S3_URL_SECONDS=60 must exceed PHATAM_PAYLOAD_SECONDS",
            ),
            ({"PHATAM_S3_BUCKET": "b", "PHATAM_S3_PRESIGNED": "maybe"}, "is not a boolean"),
        ]
        for env, message in cases:
            with self.subTest(env=env):
                self.assertIn(message, settings_with("pass", **env).stderr)


@cache
def bucket_storage(*, presigned: bool) -> dict:
    """``STORAGES["default"]`` that config/settings.py makes for the test server."""
    env = {
        "PHATAM_S3_ENDPOINT_URL": S3_ENDPOINT,
        "PHATAM_S3_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": S3_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": S3_SECRET_KEY,
        "PHATAM_S3_BUCKET": S3_BUCKET if presigned else S3_PUBLIC_BUCKET,
    }
    if not presigned:
        env |= {
            "PHATAM_S3_PRESIGNED": "0",
            # The bucket's own address stands in for a CDN in front of it.
            "PHATAM_S3_CUSTOM_DOMAIN": f"{S3_ENDPOINT}/{S3_PUBLIC_BUCKET}",
        }
    return media_settings(**env)["default"]


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """GET ``url`` as a browser's ``<audio>`` would: status, headers and body."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 (the bucket's URL)
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def upload(content: bytes, name: str, *, declared: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=declared)


@needs_s3
class BucketTestCase(TempMediaMixin, TestCase):
    """Each test stores under its own prefix of the bucket (the storage's ``location``), so
    tests and runs never see each other's objects; the prefix is emptied afterwards."""

    presigned = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3 = boto3.client(
            "s3",
            endpoint_url=S3_ENDPOINT,
            aws_access_key_id=S3_ACCESS_KEY,
            aws_secret_access_key=S3_SECRET_KEY,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}),
        )

    def setUp(self):
        super().setUp()
        self.prefix = f"run-{uuid4().hex[:12]}"
        backend = bucket_storage(presigned=self.presigned)
        backend = {**backend, "OPTIONS": {**backend["OPTIONS"], "location": self.prefix}}
        self.bucket = backend["OPTIONS"]["bucket_name"]
        self.enterContext(override_settings(STORAGES=settings.STORAGES | {"default": backend}))
        self.addCleanup(self.prefix_empty)
        django_cache.clear()  # the chart payloads hold URLs
        self.addCleanup(django_cache.clear)
        LocMemEngine.reset()
        self.addCleanup(LocMemEngine.reset)
        # A symbol the acoustic check does not judge: these tests are about where files go.
        self.phoneme = make_phoneme(category=make_category("consonant"))

    def prefix_empty(self) -> None:
        for key in self.keys(""):
            self.s3.delete_object(Bucket=self.bucket, Key=f"{self.prefix}/{key}")

    def keys(self, under: str = "phonemes/") -> list[str]:
        """The names (relative to the test's prefix) of every object under ``under``."""
        pages = self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{self.prefix}/{under}"
        )
        start = len(self.prefix) + 1
        return sorted(item["Key"][start:] for page in pages for item in page.get("Contents", []))

    def head(self, name: str) -> dict | None:
        """The object's metadata, or ``None`` when there is no such object."""
        try:
            return self.s3.head_object(Bucket=self.bucket, Key=f"{self.prefix}/{name}")
        except self.s3.exceptions.ClientError as error:
            if error.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                return None
            raise

    def recording_add(self, content: bytes, name: str = "take.mp3") -> AudioSource:
        """A native recording stored through the service, committed."""
        speaker = Speaker(name="Tom", gender="male", accent="RP", licence="CC0-1.0")
        with self.captureOnCommitCallbacks(execute=True):
            source = native_recording_add(
                self.phoneme, upload(content, name), name=name, speaker=speaker, language="en-GB"
            )
        source.refresh_from_db()
        return source

    def chart_url(self, accent: str = "en-GB") -> str:
        response = self.client.get(f"/api/phonemes/{self.phoneme.pk}/?accent={accent}")
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()["audio"]["url"]

    def assert_range_served(self, url: str, content: bytes, content_type: str) -> None:
        self.assertTrue(url.startswith(f"{S3_ENDPOINT}/"), url)
        status, headers, body = fetch(url, Range="bytes=0-1")
        self.assertEqual(status, 206, body[:300])
        self.assertEqual(headers["Content-Range"], f"bytes 0-1/{len(content)}")
        self.assertEqual(headers["Content-Type"], content_type)
        self.assertEqual(body, content[:2])


class BucketStorageTests(BucketTestCase):
    def test_the_file_field_follows_the_storages_setting(self):
        field = AudioSource._meta.get_field("audio_file")
        self.assertIsInstance(field.storage, AudioS3Storage)
        local = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
        with override_settings(STORAGES=settings.STORAGES | {"default": local}):
            self.assertIsInstance(field.storage, FileSystemStorage)
        self.assertIsInstance(field.storage, AudioS3Storage)

    def test_audio_is_typed_from_its_bytes_whatever_its_name_or_declared_type(self):
        for fmt, encode in audio_fixtures.ENCODERS.items():
            with self.subTest(fmt=fmt):
                name = default_storage.save(
                    f"phonemes/audio/{fmt}.html",
                    upload(encode(0.2), "x.html", declared="text/html"),
                )
                self.assertEqual(self.head(name)["ContentType"], FORMATS[fmt][1])

    def test_content_that_is_not_audio_is_never_served_with_an_active_type(self):
        page = b"<html><script>alert(document.cookie)</script></html>"
        name = default_storage.save(
            "phonemes/audio/page.html", upload(page, "page.html", declared="text/html")
        )

        status, headers, body = fetch(default_storage.url(name))

        self.assertEqual(status, 200)
        self.assertEqual(body, page)
        self.assertEqual(headers["Content-Type"], "binary/octet-stream")
        self.assertEqual(headers["Content-Disposition"], "attachment")

    def test_the_bucket_is_not_public_a_url_without_its_signature_is_refused(self):
        content = audio_fixtures.mp3(0.3)
        url = self.recording_add(content).get_url()

        self.assertIn("X-Amz-Signature=", url)
        self.assertEqual(fetch(url.split("?")[0], Range="bytes=0-1")[0], 403)

    def test_a_refusing_bucket_is_a_storage_fault_and_nothing_is_stored(self):
        refused = bucket_storage(presigned=True)
        refused = {**refused, "OPTIONS": {**refused["OPTIONS"], "secret_key": "wrong-secret"}}
        with (
            override_settings(STORAGES=settings.STORAGES | {"default": refused}),
            self.assertRaises(StorageUnavailable),
        ):
            self.recording_add(audio_fixtures.mp3(0.3))
        self.assertFalse(AudioSource.objects.exists())
        self.assertEqual(self.keys(), [])


class BucketRecordingTests(BucketTestCase):
    def test_an_uploaded_recording_lands_in_the_bucket_typed_from_its_bytes(self):
        content = audio_fixtures.wav(0.5)
        self.client.force_login(make_user(is_staff=True))
        form = {
            "file": upload(content, "Tom's recording.wav", declared="text/html"),
            "language": "en-GB",
            "speaker_name": "Tom",
            "speaker_gender": "male",
            "licence": "CC-BY-4.0",
        }
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"/api/phonemes/{self.phoneme.pk}/audio-sources/", form)

        self.assertEqual(response.status_code, 201, response.content)
        name = AudioSource.objects.get().audio_file.name
        self.assertRegex(name, FINAL_NAME)
        self.assertEqual(self.keys(), [name], "one object, in its final place")
        stored = self.head(name)
        self.assertEqual(stored["ContentType"], "audio/wav")
        self.assertEqual(stored["ContentLength"], len(content))
        self.assertEqual(list(Path(settings.MEDIA_ROOT).rglob("*")), [], "nothing on local disk")

    def test_the_chart_url_is_served_by_the_bucket_with_byte_ranges_and_an_audio_type(self):
        content = audio_fixtures.mp3(0.5)
        self.recording_add(content)

        self.assert_range_served(self.chart_url(), content, "audio/mpeg")

    def test_a_replaced_recordings_old_object_goes_after_the_commit(self):
        old = self.recording_add(audio_fixtures.mp3(0.3)).audio_file.name
        source = AudioSource.objects.get()
        new_content = audio_fixtures.wav(0.3)

        with self.captureOnCommitCallbacks(execute=True):
            native_recording_replace(source, upload(new_content, "new.wav"), name="new.wav")
            self.assertIsNotNone(self.head(old), "still there until the commit")

        source.refresh_from_db()
        self.assertIsNone(self.head(old))
        self.assertEqual(self.keys(), [source.audio_file.name])
        self.assert_range_served(self.chart_url(), new_content, "audio/wav")

    def test_a_rolled_back_replacement_keeps_the_old_object(self):
        content = audio_fixtures.mp3(0.3)
        old = self.recording_add(content).audio_file.name
        source = AudioSource.objects.get()

        with self.assertRaises(RuntimeError), transaction.atomic():
            native_recording_replace(source, upload(audio_fixtures.wav(0.3), "n.wav"), name="n.wav")
            raise RuntimeError("the request fails after the replacement")

        source.refresh_from_db()
        self.assertEqual(source.audio_file.name, old)
        self.assertEqual(self.keys("phonemes/audio/"), [old])
        self.assert_range_served(self.chart_url(), content, "audio/mpeg")

    def test_a_deleted_source_takes_its_object_after_the_commit(self):
        source = self.recording_add(audio_fixtures.mp3(0.3))
        name = source.audio_file.name

        with self.captureOnCommitCallbacks(execute=True):
            source.delete()
            self.assertIsNotNone(self.head(name), "still there until the commit")

        self.assertIsNone(self.head(name))

    def test_a_rolled_back_deletion_keeps_the_object(self):
        source = self.recording_add(audio_fixtures.mp3(0.3))

        with self.assertRaises(RuntimeError), transaction.atomic():
            source.delete()
            raise RuntimeError("the request fails after the deletion")

        self.assertIsNotNone(self.head(source.audio_file.name))


@MEM_ENGINES
class BucketGenerationTests(BucketTestCase):
    def setUp(self):
        super().setUp()
        self.phoneme = make_phoneme("iː", example_words=[{"word": "see", "ipa": "/siː/"}])

    def generate(self) -> AudioSource:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.get(f"/api/phonemes/{self.phoneme.pk}/audio/?accent=en-US")
        self.assertEqual(response.json()["tier"], GENERATED, response.content)
        return AudioSource.objects.get(source_type=GENERATED)

    def test_audio_generated_on_demand_is_stored_in_the_bucket_and_served_from_it(self):
        source = self.generate()

        self.assertRegex(source.audio_file.name, FINAL_NAME)
        self.assertEqual(self.keys(), [source.audio_file.name])
        with source.audio_file.open("rb") as stored:
            content = stored.read()
        self.assert_range_served(self.chart_url("en-US"), content, "audio/mpeg")

    def test_a_refusing_bucket_falls_back_to_the_browsers_voice(self):
        refused = bucket_storage(presigned=True)
        refused = {**refused, "OPTIONS": {**refused["OPTIONS"], "secret_key": "wrong-secret"}}
        with override_settings(STORAGES=settings.STORAGES | {"default": refused}):
            response = self.client.get(f"/api/phonemes/{self.phoneme.pk}/audio/?accent=en-US")

        self.assertEqual(response.json()["tier"], "web_speech", response.content)
        self.assertIn("storage unavailable", response.json()["reason"])

    def test_cleanup_deletes_expired_audio_and_the_orphans_it_finds_by_listing_the_bucket(self):
        expired = self.generate()
        AudioSource.objects.filter(pk=expired.pk).update(
            cached_until=timezone.now() - timedelta(days=1)
        )
        native = self.recording_add(audio_fixtures.mp3(0.3))
        orphan = default_storage.save(
            f"phonemes/audio/2020/01/01/{uuid4().hex}.mp3", ContentFile(audio_fixtures.mp3(0.2))
        )
        pending = default_storage.save(
            f"phonemes/pending/{uuid4().hex}.mp3", ContentFile(audio_fixtures.mp3(0.2))
        )

        young = io.StringIO()
        call_command("cleanup_audio", "--dry-run", stdout=young)
        self.assertIn("Would delete (files no row references): 0", young.getvalue())
        output = io.StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("cleanup_audio", "--orphan-grace-minutes=0", stdout=output)

        self.assertIn("deleted 1 audio sources and 1 orphan files", output.getvalue())
        self.assertFalse(AudioSource.objects.filter(pk=expired.pk).exists())
        self.assertIsNone(self.head(expired.audio_file.name))
        self.assertIsNone(self.head(orphan))
        self.assertEqual(self.keys(), sorted([native.audio_file.name, pending]))

    def test_only_cleanup_lists_the_bucket(self):
        with mock.patch.object(
            AudioS3Storage, "listdir", autospec=True, side_effect=AudioS3Storage.listdir
        ) as listdir:
            source = self.generate()
            self.chart_url("en-US")
            self.client.post(f"/api/audio/{source.pk}/plays/")
            recording = self.recording_add(audio_fixtures.mp3(0.3))
            with self.captureOnCommitCallbacks(execute=True):
                native_recording_replace(
                    recording, upload(audio_fixtures.wav(0.3), "n.wav"), name="n.wav"
                )
            with self.captureOnCommitCallbacks(execute=True):
                recording.delete()
            self.assertEqual(listdir.call_count, 0)

            call_command("cleanup_audio", "--dry-run", stdout=io.StringIO())
            self.assertGreater(listdir.call_count, 0)


class PublicBucketTests(BucketTestCase):
    """PHATAM_S3_PRESIGNED=0: unsigned URLs on the custom domain (a CDN in production; here the
    public bucket's own address), objects readable by anyone."""

    presigned = False

    def test_the_chart_url_is_unsigned_and_answers_byte_ranges_with_an_audio_type(self):
        content = audio_fixtures.ogg(0.3)
        source = self.recording_add(content, "take.ogg")

        url = self.chart_url()

        self.assertEqual(url, f"{S3_ENDPOINT}/{S3_PUBLIC_BUCKET}/{self.prefix}/{source.audio_file}")
        self.assert_range_served(url, content, "audio/ogg")
