"""What a listening item plays: many voices, and a rendering no public file matches.

High-variability phonetic training: each sound of an item is said by a voice chosen afresh
from a pool (the word's native recordings, then PHATAM_DRILL_VOICES: neural voices online,
eSpeak NG variants offline), never the voice that said the contrast's previous item. The item
streams a rendering made for that play (:func:`speech.rendering.drill_rendering`), never the
bytes of a stored file: hashing the public audio files answers nothing.
"""

import logging
import random
from dataclasses import dataclass

from apps.curriculum.audio.locks import LockUnavailable
from apps.curriculum.audio.storage import StorageUnavailable
from apps.curriculum.audio.synthesis import audio_generate
from apps.curriculum.audio.voices import DrillVoice, drill_voices_for, engine_for
from apps.curriculum.models import AudioSource, MinimalPair, Phoneme, SourceType
from apps.curriculum.selectors import UnknownWord, example_word_get
from speech.decoding import AudioRejected, decode_bytes
from speech.rendering import Clip, drill_rendering
from speech.tts.base import TTSError

logger = logging.getLogger(__name__)

NATIVE_PREFIX = "native:"


@dataclass(frozen=True)
class PlayedClip:
    """One sound of an item: word ``number`` of the pair, in ``voice`` (a key)."""

    source: AudioSource
    number: int
    voice: str

    def as_json(self) -> list:
        return [self.source.pk, self.number, self.voice]


def voice_label_vi(key: str, *, accent: str) -> str:
    """How the feedback line names the voice with key ``key`` (after the answer only)."""
    if key.startswith(NATIVE_PREFIX):
        return "giọng người bản ngữ (bản ghi âm)"
    for voice in drill_voices_for(accent):
        if voice.key == key:
            return voice.label_vi
    return key


def _word(pair: MinimalPair, number: int) -> tuple:
    phoneme = pair.phoneme_1 if number == 1 else pair.phoneme_2
    word = pair.word_1 if number == 1 else pair.word_2
    return phoneme, word


def _generated(phoneme, word: str, voice: DrillVoice) -> AudioSource | None:
    """``word`` generated now in ``voice``; ``None`` when the voice cannot say it now (an
    online voice offline, a full disk, a busy lock): the caller tries another voice."""
    try:
        return audio_generate(phoneme, voice=voice.voice, word=word)
    except (TTSError, StorageUnavailable, LockUnavailable) as exc:
        logger.info("Drill voice %s cannot say %r now: %s", voice.key, word, exc)
        return None


@dataclass
class _Choices:
    """What can say word ``number`` of a pair now: the stored files by voice key (native
    recordings, and earlier files of the pool's voices) and the pool's voices that can make
    one. An item that plays a word twice reads them once."""

    phoneme: Phoneme
    word: str
    number: int
    stored: dict[str, AudioSource]
    pool: dict[str, DrillVoice]


def _choices(pair: MinimalPair, number: int, *, accent: str) -> _Choices | None:
    """Two queries (one when the word is an example word of its phoneme)."""
    phoneme, word = _word(pair, number)
    try:
        word, _ = example_word_get(phoneme, word)
    except UnknownWord:
        logger.warning("Pair %s: '%s' is not a word of %s", pair.pk, word, phoneme)
        return None
    pool = {voice.key: voice for voice in drill_voices_for(accent)}
    by_made = {(engine_for(v.voice.engine).name, v.voice.name): key for key, v in pool.items()}
    stored: dict[str, AudioSource] = {}
    sources = AudioSource.objects.playable().filter(phoneme=phoneme, word=word, language=accent)
    for source in sources.order_by("-created_at", "-pk"):
        if source.source_type == SourceType.NATIVE:
            stored[f"{NATIVE_PREFIX}{source.pk}"] = source
        else:
            key = by_made.get((source.engine, source.voice_id))
            if key is not None:
                stored.setdefault(key, source)
    # A voice whose engine is known to be down now (edge-tts offline) plays only what it
    # stored before: nothing is looked up or locked to learn again that it fails. Each
    # engine is asked once (edge-tts reads the shared cache).
    down = {
        name for name in {v.voice.engine for v in pool.values()} if engine_for(name).unavailable()
    }
    pool = {key: v for key, v in pool.items() if v.voice.engine not in down}
    return _Choices(phoneme, word, number, stored, pool)


def _pick(
    choices: _Choices, *, avoid: set[str] = frozenset(), only: str = "", rng: random.Random
) -> PlayedClip | None:
    """The word of ``choices`` in a voice chosen at random, none of ``avoid``; with ``only``,
    that voice or nothing. A file generated now is kept in ``choices`` for the item's next
    sound, and a voice that failed is not asked again."""
    stored, pool = choices.stored, choices.pool
    keys = [key for key in {**stored, **pool} if key not in avoid and (not only or key == only)]
    rng.shuffle(keys)
    for key in keys:
        source = stored.get(key) or _generated(choices.phoneme, choices.word, pool[key])
        if source is None:
            pool.pop(key)
            continue
        stored[key] = source
        return PlayedClip(source, choices.number, key)
    return None


def word_clip(
    pair: MinimalPair,
    number: int,
    *,
    accent: str,
    avoid: set[str] = frozenset(),
    only: str = "",
    rng: random.Random | None = None,
) -> PlayedClip | None:
    """Word ``number`` of ``pair`` in a voice chosen at random among those that can say it
    (native recordings of the word, and the drills' pool: a stored file, pre-generated or
    made on an earlier play, else one generated now), none of ``avoid``; with ``only``, that
    voice or nothing. ``None`` when no voice can say it now. Two queries when the voice
    chosen has a stored file."""
    choices = _choices(pair, number, accent=accent)
    if choices is None:
        return None
    return _pick(choices, avoid=avoid, only=only, rng=rng or random.SystemRandom())


def item_clips(
    pair: MinimalPair,
    *,
    accent: str,
    answer_word: int,
    odd_position: int | None,
    last_voice: str,
    rng: random.Random | None = None,
) -> list[PlayedClip] | None:
    """What an item plays, in order: the answer word alone (``odd_position`` ``None``), or
    three sounds with the answer word at ``odd_position`` and the other word twice, each in a
    different voice (the odd voice must tell nothing). The answer's voice is not
    ``last_voice``, and the voices differ, whenever enough voices can say the words (the
    offline floor is three); with fewer, a voice repeats rather than the item being lost.
    ``None`` when no voice can say a word now. What can say each word is read once."""
    rng = rng or random.SystemRandom()
    choices = _choices(pair, answer_word, accent=accent)
    if choices is None:
        return None
    answer = _pick(choices, avoid={last_voice}, rng=rng) or _pick(choices, rng=rng)
    if answer is None:
        return None
    if odd_position is None:
        return [answer]
    clips = [answer]
    other = _choices(pair, 3 - answer_word, accent=accent)
    if other is None:
        return None
    for _ in range(2):
        used = {clip.voice for clip in clips}
        clip = _pick(other, avoid=used, rng=rng) or _pick(other, rng=rng)
        if clip is None:
            return None
        clips.append(clip)
    others = clips[1:]
    return [*others[: odd_position - 1], answer, *others[odd_position - 1 :]]


class RenderingUnavailable(Exception):
    """A sound of the item can no longer be had (its file and every voice gone)."""


def item_rendering(
    pair: MinimalPair, clips: list[list], *, accent: str
) -> tuple[bytes, list[list], list[AudioSource]]:
    """The item's audio made afresh (MP3 bytes), the clips as played (a sound whose file
    cleanup deleted is said again, in the same voice if it can), and the sources played.

    Raises :class:`RenderingUnavailable`; ``OSError`` when storage cannot give a file.
    """
    sources = AudioSource.objects.in_bulk([pk for pk, _, _ in clips])
    played, decoded, used = [], [], []
    for pk, number, voice in clips:
        source = sources.get(pk)
        if source is None or not source.audio_file or not source.is_playable():
            choices = _choices(pair, number, accent=accent)
            rng = random.SystemRandom()
            again = choices and (
                _pick(choices, only=voice, rng=rng)
                or _pick(choices, avoid={v for _, _, v in played}, rng=rng)
            )
            if again is None:
                raise RenderingUnavailable(f"pair {pair.pk} word {number}")
            source, voice = again.source, again.voice
        with source.audio_file.open("rb") as file:
            data = file.read()
        try:
            info = decode_bytes(data)
        except AudioRejected as exc:
            raise RenderingUnavailable(f"source {source.pk}: {exc}") from exc
        decoded.append(Clip(info.samples, info.sample_rate))
        played.append([source.pk, number, voice])
        used.append(source)
    return drill_rendering(decoded), played, used
