"""The studio's reads: the 44 phonemes of an accent with what the chart plays for each, and
how far the native recordings have come in every accent."""

from collections import defaultdict
from dataclasses import dataclass

from apps.curriculum.audio.playback import ALL_TIERS, audio_best_for_phonemes
from apps.curriculum.audio.provenance import Provenance, audio_provenance
from apps.curriculum.audio.voices import accents
from apps.curriculum.models import AcousticVerdict, AudioSource, Phoneme, SourceType
from apps.curriculum.models.audio import VERDICT_RANK
from apps.curriculum.selectors import (
    ipa_for_accent,
    phoneme_symbol_for_accent,
    phonemes_for_chart,
)
from apps.studio.models import StudioProfile


@dataclass(frozen=True)
class StudioPhoneme:
    """One phoneme as the studio shows it in one accent."""

    phoneme: Phoneme
    symbol: str  # as the chart shows it in the accent (/oʊ/ for /əʊ/ in en-US)
    audio: AudioSource | None  # what the chart plays now (None: made on demand when asked)
    provenance: Provenance | None
    natives: int  # playable native recordings of the phoneme alone, in the accent
    native_verdict: str  # the best acoustic verdict among them ("" without any)
    words: list[tuple[str, str]]  # example words with their IPA in the accent

    @property
    def native_failing(self) -> bool:
        """Every native recording in the accent is heard as another sound."""
        return self.native_verdict == AcousticVerdict.FAILED


@dataclass(frozen=True)
class AccentProgress:
    accent: str
    total: int
    recorded: int  # phonemes with at least one native recording
    failing: list[Phoneme]  # phonemes whose every native recording fails the check
    next_missing: Phoneme | None  # the first phoneme, in chart order, without one


@dataclass(frozen=True)
class StudioChart:
    accent: str
    phonemes: list[StudioPhoneme]
    progress: list[AccentProgress]  # every accent, the page's own first


def studio_chart(accent: str) -> StudioChart:
    """The studio page's data for ``accent`` (validated by the caller). Three queries,
    whatever the number of phonemes."""
    phonemes = list(phonemes_for_chart())
    best = audio_best_for_phonemes(phonemes, language=accent, source_types=ALL_TIERS)
    natives = _natives_by_accent(phonemes)
    rows = []
    for phoneme in phonemes:
        count, verdict = natives[accent].get(phoneme.pk, (0, ""))
        audio = best.get(phoneme.pk)
        rows.append(
            StudioPhoneme(
                phoneme=phoneme,
                symbol=phoneme_symbol_for_accent(phoneme, accent=accent),
                audio=audio,
                provenance=audio_provenance(audio) if audio is not None else None,
                natives=count,
                native_verdict=verdict,
                words=[
                    (
                        item["word"],
                        ipa_for_accent(item["ipa"], item.get("ipa_us", ""), accent=accent),
                    )
                    for item in phoneme.example_words
                ],
            )
        )
    ordered = [accent, *(other for other in accents() if other != accent)]
    return StudioChart(
        accent=accent,
        phonemes=rows,
        progress=[_progress(code, phonemes, natives[code]) for code in ordered],
    )


def accent_progress(accent: str) -> AccentProgress:
    """How far ``accent``'s native recordings have come (two queries)."""
    phonemes = list(phonemes_for_chart())
    return _progress(accent, phonemes, _natives_by_accent(phonemes)[accent])


def phoneme_now_playing(phoneme: Phoneme, *, accent: str) -> AudioSource | None:
    """What the chart plays for ``phoneme`` in ``accent`` now (one query)."""
    return audio_best_for_phonemes([phoneme], language=accent, source_types=ALL_TIERS)[phoneme.pk]


def studio_profile_get(user) -> StudioProfile | None:
    return StudioProfile.objects.filter(user=user).first() if user.is_authenticated else None


def _natives_by_accent(phonemes: list[Phoneme]) -> dict[str, dict[int, tuple[int, str]]]:
    """{accent: {phoneme pk: (playable native recordings of the phoneme alone, best verdict)}}
    in one query."""
    rows = (
        AudioSource.objects.playable()
        .filter(source_type=SourceType.NATIVE, word="", phoneme__in=phonemes)
        .values_list("language", "phoneme_id", "acoustic_verdict")
    )
    found: dict[str, dict[int, tuple[int, str]]] = defaultdict(dict)
    for language, phoneme_id, verdict in rows:
        count, best = found[language].get(phoneme_id, (0, ""))
        if not best or VERDICT_RANK.get(verdict, 1) < VERDICT_RANK.get(best, 1):
            best = verdict
        found[language][phoneme_id] = (count + 1, best)
    return found


def _progress(
    accent: str, phonemes: list[Phoneme], natives: dict[int, tuple[int, str]]
) -> AccentProgress:
    return AccentProgress(
        accent=accent,
        total=len(phonemes),
        recorded=sum(1 for p in phonemes if p.pk in natives),
        failing=[p for p in phonemes if natives.get(p.pk, (0, ""))[1] == AcousticVerdict.FAILED],
        next_missing=next((p for p in phonemes if p.pk not in natives), None),
    )
