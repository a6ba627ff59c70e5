"""Text-to-speech engines, chosen in settings by dotted path (like Django's email backends).

``PHATAM_TTS_ENGINES`` names the engines; ``PHATAM_VOICES`` lists, per accent, the voices to
try in order as ``"<engine>:<voice>"``. Engines are built once per process.
"""

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from apps.curriculum.tts.base import (
    SynthesisRequest,
    SynthesisResult,
    TTSEngine,
    TTSError,
    Voice,
)

__all__ = [
    "SynthesisRequest",
    "SynthesisResult",
    "TTSEngine",
    "TTSError",
    "Voice",
    "accents",
    "engine_for",
    "voices_for",
]


@cache
def engine_for(alias: str) -> TTSEngine:
    try:
        config = settings.PHATAM_TTS_ENGINES[alias]
    except KeyError:
        raise ImproperlyConfigured(f"PHATAM_TTS_ENGINES has no engine {alias!r}") from None
    return import_string(config["BACKEND"])(**config.get("OPTIONS", {}))


def accents() -> list[str]:
    return list(settings.PHATAM_VOICES)


@cache
def voices_for(accent: str) -> tuple[Voice, ...]:
    """The voices of ``accent`` ("en-US", "en-GB") in the order they are tried."""
    try:
        keys = settings.PHATAM_VOICES[accent]
    except KeyError:
        raise ValueError(f"unknown accent {accent!r}; choose one of {accents()}") from None
    voices = []
    for key in keys:
        engine, _, name = key.partition(":")
        if not name or engine not in settings.PHATAM_TTS_ENGINES:
            raise ImproperlyConfigured(
                f"PHATAM_VOICES[{accent!r}]: {key!r} is not '<engine>:<voice>'"
            )
        voices.append(Voice(engine=engine, name=name, language=accent))
    return tuple(voices)


@receiver(setting_changed, dispatch_uid="tts_settings_changed")
def _forget_engines(*, setting: str, **kwargs) -> None:
    # Cache invalidation only: engines and voices are rebuilt from the new settings.
    if setting in {"PHATAM_TTS_ENGINES", "PHATAM_VOICES"}:
        engine_for.cache_clear()
        voices_for.cache_clear()
