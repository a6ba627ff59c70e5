"""Engines and voices from settings, the way Django builds its email backends.

``PHATAM_TTS_ENGINES`` names the engines by dotted path (classes of :mod:`speech.tts`);
``PHATAM_VOICES`` lists, per accent, the voices to try in order as ``"<engine>:<voice>"``.
Engines are built once per process and share what they remember through Django's cache.
"""

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.cache import cache as django_cache
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from speech.tts.base import TTSEngine, Voice


class UnknownAccent(ValueError):
    """The accent is not one of PHATAM_VOICES' keys."""


def accents() -> list[str]:
    return list(settings.PHATAM_VOICES)


def accent_validate(accent: str | None) -> str:
    """``accent``, or the default accent when it is empty; :class:`UnknownAccent` otherwise.

    The one place that says which accents exist (the API, the services and the forms ask it).
    """
    accent = accent or settings.PHATAM_DEFAULT_ACCENT
    if accent not in settings.PHATAM_VOICES:
        raise UnknownAccent(f"'{accent}' is not one of {', '.join(accents())}.")
    return accent


@cache
def engine_for(alias: str) -> TTSEngine:
    try:
        config = settings.PHATAM_TTS_ENGINES[alias]
    except KeyError:
        raise ImproperlyConfigured(f"PHATAM_TTS_ENGINES has no engine {alias!r}") from None
    return import_string(config["BACKEND"])(state=django_cache, **config.get("OPTIONS", {}))


@cache
def voices_for(accent: str) -> tuple[Voice, ...]:
    """The voices of ``accent`` ("en-US", "en-GB") in the order they are tried."""
    keys = settings.PHATAM_VOICES[accent_validate(accent)]
    voices = []
    for key in keys:
        engine, _, name = key.partition(":")
        if not name or engine not in settings.PHATAM_TTS_ENGINES:
            raise ImproperlyConfigured(
                f"PHATAM_VOICES[{accent!r}]: {key!r} is not '<engine>:<voice>'"
            )
        voices.append(Voice(engine=engine, name=name, language=accent))
    return tuple(voices)


@dataclass(frozen=True)
class DrillVoice:
    """One voice of the listening drills' pool, with the sex the learner is told after an
    answer ("female" or "male")."""

    voice: Voice
    sex: str

    @property
    def key(self) -> str:
        return self.voice.key

    @property
    def label_vi(self) -> str:
        """How the feedback line names it: "Aria (giọng nữ, máy đọc)"."""
        name = self.voice.name
        if self.voice.engine == "edge":
            name = name.rsplit("-", 1)[-1].removesuffix("Neural")
        elif "+" in name:
            name = f"eSpeak {name.partition('+')[2]}"
        else:
            name = "eSpeak"
        sex = "giọng nữ" if self.sex == "female" else "giọng nam"
        return f"{name} ({sex}, máy đọc)"


SEXES = ("female", "male")


@cache
def drill_voices_for(accent: str) -> tuple[DrillVoice, ...]:
    """The pool of voices listening drills pick from for ``accent`` (PHATAM_DRILL_VOICES):
    several voices of both sexes, online neural voices first, eSpeak NG variants as the floor
    that works offline. Native recordings join the pool per word (see the practice app)."""
    accent = accent_validate(accent)
    voices = []
    for key, sex in settings.PHATAM_DRILL_VOICES.get(accent, ()):
        engine, _, name = key.partition(":")
        if not name or sex not in SEXES:
            raise ImproperlyConfigured(
                f"PHATAM_DRILL_VOICES[{accent!r}]: {key!r}, {sex!r} is not "
                "('<engine>:<voice>', 'female' or 'male')"
            )
        if engine not in settings.PHATAM_TTS_ENGINES:
            continue  # an engine left out of PHATAM_TTS_ENGINES takes its voices with it
        voices.append(DrillVoice(Voice(engine=engine, name=name, language=accent), sex))
    return tuple(voices)


def voice_made(*, language: str, engine: str, voice_id: str) -> Voice | None:
    """The configured voice of ``language`` (the fallback chain's or the drills' pool) whose
    engine (by name) and voice made a file."""
    drill = [d.voice for d in drill_voices_for(language)] if language in accents() else []
    for voice in [*voices_for(language), *drill]:
        if voice.name == voice_id and engine_for(voice.engine).name == engine:
            return voice
    return None


@receiver(setting_changed, dispatch_uid="tts_settings_changed")
def _forget_engines(*, setting: str, **kwargs) -> None:
    # Cache invalidation only: engines and voices are rebuilt from the new settings.
    if setting in {
        "PHATAM_TTS_ENGINES",
        "PHATAM_VOICES",
        "PHATAM_DRILL_VOICES",
        "PHATAM_DEFAULT_ACCENT",
    }:
        engine_for.cache_clear()
        voices_for.cache_clear()
        drill_voices_for.cache_clear()
