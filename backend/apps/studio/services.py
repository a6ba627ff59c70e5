"""The studio's writes: a teacher's profile, and takes.

A take is what the browser recorded for one phoneme. :func:`take_record` decodes it (as every
upload is decoded: format from the bytes, no video, no NaN), trims the silence off both ends,
refuses it when it holds no sound, brings it to the chart's loudness (-20 dBFS, as the
synthesized audio), encodes it as MP3, then puts the result through the same checks as every
stored recording (``recording_inspect``: format, length, junk) and the acoustic check,
without storing anything. The edited take waits in ``VAR_DIR/tmp/studio/<token>/`` for its
owner only, for ``PHATAM_STUDIO_TAKE_SECONDS``; :func:`take_save` stores it as a native
recording (the same service as an upload, which checks it again) and deletes it.

Junk is judged on the take as it was recorded, before the loudness is raised: normalising
would lift a dead microphone's hiss to speech level.
"""

import contextlib
import io
import json
import logging
import re
import secrets
import shutil
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from apps.core.recordings import RecordingRejected, recording_inspect
from apps.core.storage import json_safe
from apps.curriculum.audio.recordings import native_recording_add, phoneme_pin_audio
from apps.curriculum.models import AudioSource, Phoneme
from apps.studio.models import StudioProfile
from speech import acoustics
from speech.decoding import audio_inspect
from speech.editing import fade_edges, normalize_gain, trim_silence
from speech.pcm import encode_mp3
from speech.signal import speech_presence

logger = logging.getLogger(__name__)

__all__ = [
    "FailedTakePinRefused",
    "RecordingRejected",
    "Take",
    "TakeNotFound",
    "studio_profile_save",
    "take_audio_path",
    "take_get",
    "take_record",
    "take_save",
    "takes_expired_remove",
]

AUDIO_NAME = "take.mp3"
META_NAME = "take.json"
SAVING = ".saving"
# secrets.token_urlsafe(32): 43 characters of [A-Za-z0-9_-]; nothing else names a take.
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
# What the browser sends may have silence around the sound; the edited take must still fit
# PHATAM_UPLOAD_MAX_SECONDS.
RECORDED_MAX_SECONDS = 30.0


class TakeNotFound(Exception):
    """No such take for this user: never made, someone else's, expired, or already saved."""


class FailedTakePinRefused(Exception):
    """A take that failed the acoustic check is pinned only when the teacher confirms it."""


@dataclass(frozen=True)
class Take:
    token: str
    owner_id: int
    phoneme_id: int
    accent: str
    created_at: datetime
    recorded_seconds: float  # as the browser sent it
    duration: float  # after trimming
    gain_db: float  # what normalisation added (negative: made quieter)
    verdict: str  # acoustics.PASSED, FAILED or NOT_CHECKED
    heard_as: str = ""
    details: dict = field(default_factory=dict)

    @property
    def expires_at(self) -> datetime:
        return self.created_at + timedelta(seconds=settings.PHATAM_STUDIO_TAKE_SECONDS)

    def verdict_vi(self, symbol: str) -> str:
        """The verdict for the teacher, in Vietnamese (the English in brackets)."""
        if self.verdict == acoustics.PASSED:
            return f"Đạt: nghe đúng là /{symbol}/. (Passed.)"
        if self.verdict == acoustics.FAILED:
            if self.heard_as:
                return (
                    f"Nghe như /{self.heard_as}/, chưa phải /{symbol}/. "
                    f"(Heard as /{self.heard_as}/.) Hãy ghi lại."
                )
            # A consonant names the rules it broke; a diphthong its glide rule.
            rule = "; ".join(self.details.get("failures") or []) or self.details.get("rule")
            return f"Chưa đạt /{symbol}/ ({rule or 'failed'}). Hãy ghi lại."
        reason = self.details.get("error") or ""
        return f"Chưa kiểm tra được ({reason or 'not checked'}); bạn vẫn có thể lưu."


def studio_profile_save(
    user: AbstractBaseUser, *, speaker_name: str, gender: str, speaker_accent: str, licence: str
) -> StudioProfile:
    """Create or update ``user``'s studio profile; ``ValidationError`` on bad values."""
    profile = StudioProfile.objects.filter(user=user).first() or StudioProfile(user=user)
    profile.speaker_name = speaker_name.strip()
    profile.gender = gender
    profile.speaker_accent = speaker_accent.strip()
    profile.licence = licence
    profile.full_clean()
    profile.save()
    return profile


def takes_dir() -> Path:
    return Path(settings.VAR_DIR) / "tmp" / "studio"


def take_record(
    upload, *, name: str, phoneme: Phoneme, accent: str, owner: AbstractBaseUser, gender: str
) -> Take:
    """Edit and judge a recorded take of ``phoneme`` and keep it for ``owner`` to save.

    ``gender`` is the speaker's (women are judged against women's formants). Raises
    :class:`RecordingRejected` with the reason for the teacher: not audio, too short or long,
    silent, noise. Nothing is stored in the media storage.
    """
    takes_expired_remove()
    recorded = audio_inspect(
        upload,
        name=name,
        min_seconds=settings.PHATAM_UPLOAD_MIN_SECONDS,
        max_seconds=RECORDED_MAX_SECONDS,
    )
    rate = recorded.sample_rate
    trimmed = trim_silence(recorded.samples, rate)
    refusal = speech_presence(trimmed, rate)
    if refusal:
        raise RecordingRejected(refusal)
    gain = normalize_gain(trimmed, rate)
    edited = fade_edges(trimmed * gain, rate)
    pcm = np.clip(np.round(edited * 32767), -32768, 32767).astype(np.int16)
    audio = encode_mp3(pcm, rate)
    # The edited take through the checks every stored recording passes.
    info = recording_inspect(io.BytesIO(audio), name=AUDIO_NAME)
    check = acoustics.check(
        phoneme.ipa_symbol, info.samples, info.sample_rate, accent=accent, gender=gender
    )
    take = Take(
        token=secrets.token_urlsafe(32),
        owner_id=owner.pk,
        phoneme_id=phoneme.pk,
        accent=accent,
        created_at=timezone.now(),
        recorded_seconds=round(recorded.duration, 3),
        duration=round(info.duration, 3),
        gain_db=round(20 * float(np.log10(gain)), 1),
        verdict=check.verdict,
        heard_as=check.heard_as,
        details=json_safe(check.details),
    )
    _take_write(take, audio)
    return take


def take_get(token: str, *, owner: AbstractBaseUser) -> Take:
    """``owner``'s unexpired take ``token``; :class:`TakeNotFound` otherwise (another
    user's take is not found either)."""
    if not TOKEN.fullmatch(token or ""):
        raise TakeNotFound(token)
    try:
        raw = json.loads((takes_dir() / token / META_NAME).read_text())
        take = Take(**{**raw, "created_at": datetime.fromisoformat(raw["created_at"])})
    except (OSError, ValueError, TypeError, KeyError):
        raise TakeNotFound(token) from None
    if take.owner_id != owner.pk:
        raise TakeNotFound(token)
    if take.expires_at <= timezone.now():
        shutil.rmtree(takes_dir() / token, ignore_errors=True)
        raise TakeNotFound(token)
    return take


def take_audio_path(take: Take) -> Path:
    """The edited take's MP3 file."""
    return takes_dir() / take.token / AUDIO_NAME


def take_save(
    token: str, *, owner: AbstractBaseUser, pin: bool, confirm_failed: bool = False
) -> AudioSource:
    """Store ``owner``'s take as a native recording of its phoneme in its accent, spoken by
    ``owner``'s studio profile and dated today; with ``pin``, make it the audio learners hear
    for the phoneme. The take is deleted after the commit.

    A take that failed the acoustic check is pinned only with ``confirm_failed``, else
    :class:`FailedTakePinRefused` (nothing stored: the teacher may save it unpinned).
    Raises :class:`TakeNotFound` (also when the take is being saved by another request),
    ``StudioProfile.DoesNotExist``, :class:`RecordingRejected` and ``StorageUnavailable``; on
    any failure the take stays, to be saved again.
    """
    take = take_get(token, owner=owner)
    if pin and take.verdict == acoustics.FAILED and not confirm_failed:
        raise FailedTakePinRefused(token)
    profile = StudioProfile.objects.get(user=owner)
    phoneme = Phoneme.objects.filter(pk=take.phoneme_id).first()
    if phoneme is None:
        raise TakeNotFound(token)
    place = takes_dir() / token
    claimed = place.with_name(token + SAVING)
    try:
        place.rename(claimed)  # atomic: of two concurrent saves, one gets the take
    except OSError:
        raise TakeNotFound(token) from None
    try:
        with transaction.atomic():
            with open(claimed / AUDIO_NAME, "rb") as audio:
                source = native_recording_add(
                    phoneme,
                    audio,
                    name=AUDIO_NAME,
                    speaker=profile.speaker(recorded_date=timezone.localdate()),
                    language=take.accent,
                    uploaded_by=owner.get_username(),
                )
            if pin:
                phoneme_pin_audio(phoneme, source)
            transaction.on_commit(lambda: shutil.rmtree(claimed, ignore_errors=True))
    except BaseException:
        with contextlib.suppress(OSError):
            claimed.rename(place)  # the teacher may save it again
        raise
    return source


def takes_expired_remove(now: datetime | None = None) -> int:
    """Delete the takes older than ``PHATAM_STUDIO_TAKE_SECONDS`` (and saves that a killed
    process left half-done); returns how many. Runs before every new take."""
    root = takes_dir()
    if not root.is_dir():
        return 0
    lifetime = settings.PHATAM_STUDIO_TAKE_SECONDS
    cutoff = (now or timezone.now()).timestamp() - lifetime
    removed = 0
    for entry in root.iterdir():
        # A take being saved may have been made an hour ago: its save gets another hour.
        oldest = cutoff - lifetime if entry.name.endswith(SAVING) else cutoff
        try:
            if entry.is_dir() and entry.stat().st_mtime <= oldest:
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
        except OSError:
            continue  # removed meanwhile by another request
    return removed


def _take_write(take: Take, audio: bytes) -> None:
    """Write the take's files in a hidden folder, then give it its name: a take is either
    complete or absent."""
    root = takes_dir()
    root.mkdir(parents=True, exist_ok=True)
    partial = root / f".{take.token}"
    partial.mkdir(mode=0o700)
    try:
        (partial / AUDIO_NAME).write_bytes(audio)
        meta = {**asdict(take), "created_at": take.created_at.isoformat()}
        (partial / META_NAME).write_text(json.dumps(meta))
        partial.rename(root / take.token)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def takes_cleanup(*, now: datetime) -> str:
    """Cleanup hook (``cleanup_audio``): delete expired takes; one report line."""
    return f"Deleted {takes_expired_remove(now)} expired studio take(s)."


def takes_of_user_delete(user: AbstractBaseUser) -> None:
    """Account-deletion hook: delete ``user``'s takes (the studio profile goes with the user
    row), once the deletion commits."""
    root = takes_dir()
    if not root.is_dir():
        return
    owned = []
    for entry in root.iterdir():
        try:
            owner = json.loads((entry / META_NAME).read_text()).get("owner_id")
        except (OSError, ValueError, AttributeError):
            continue
        if owner == user.pk:
            owned.append(entry)
    transaction.on_commit(lambda: [shutil.rmtree(entry, ignore_errors=True) for entry in owned])
