"""eSpeak NG, the offline engine: fed eSpeak phoneme mnemonics, never IPA glyphs as text.

A TTS engine given "iː" as text reads the symbol's name. eSpeak can instead take phonemes in
``[[...]]`` notation when ``espeakPHONEMES`` is set, so every request is converted from IPA to
eSpeak's mnemonics (``iː`` → ``i:``, ``θ`` → ``T``) and shaped so the phoneme is audible alone:
vowels and diphthongs on their own, plosives and affricates with a short neutral vowel after
them, fricatives held, nasals and approximants in a syllable.

The library and its voices come from the ``espeakng-loader`` wheel and are driven through ctypes
(libespeak-ng's ``speak_lib.h``). The library keeps global state, so calls are serialised.
"""

import ctypes
import threading

import numpy as np

from apps.curriculum.ipa import CONSONANTS, MARKS, tokenize_ipa
from apps.curriculum.tts.audio import encode_mp3, mp3_duration, normalize_loudness
from apps.curriculum.tts.base import SynthesisRequest, SynthesisResult, TTSEngine, TTSError

AUDIO_OUTPUT_SYNCHRONOUS = 2
INITIALIZE_DONT_EXIT = 0x8000  # return an error instead of calling exit()
CHARS_UTF8 = 1
PHONEMES = 0x100  # read [[...]] as phoneme mnemonics
POS_CHARACTER = 1
PARAM_RATE = 1
DEFAULT_WPM = 175
MIN_WPM, MAX_WPM = 80, 450
PHONEME_WPM = 80  # a phoneme alone is said slowly and clearly

_SYNTH_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)

# British IPA → eSpeak NG mnemonics, the same in the en-us and en-gb-x-rp phoneme tables.
MNEMONICS = {
    "iː": "i:", "ɪ": "I", "ʊ": "U", "uː": "u:", "e": "E", "ə": "@", "ɜː": "3:", "ɔː": "O:",
    "æ": "a", "ʌ": "V", "ɑː": "A:", "ɒ": "0",
    "ɪə": "i@", "eɪ": "eI", "ʊə": "U@", "ɔɪ": "OI", "əʊ": "oU", "eə": "e@", "aɪ": "aI", "aʊ": "aU",
    "p": "p", "b": "b", "t": "t", "d": "d", "tʃ": "tS", "dʒ": "dZ", "k": "k", "ɡ": "g",
    "f": "f", "v": "v", "θ": "T", "ð": "D", "s": "s", "z": "z", "ʃ": "S", "ʒ": "Z",
    "m": "m", "n": "n", "ŋ": "N", "h": "h", "l": "l", "r": "r", "w": "w", "j": "j",
    "i": "i", "u": "u",
}  # fmt: skip

# Where a voice renders an isolated phoneme badly: the mnemonic to use instead and, when no
# mnemonic of the voice's own table is right, the sibling voice whose table has it (the
# sibling voice files differ only in their phoneme table). Found by measuring every vowel
# mnemonic of the English tables with Praat against the reference formants that
# `manage.py verify_audio` uses.
PHONEME_OVERRIDES: dict[str, dict[str, tuple[str, str | None]]] = {
    "en-us": {
        "uː": ("u", None),  # en-us u: is fronted (F2 ~1350 Hz), heard as /ɝ/
        "ɒ": ("O:", None),  # General American has no /ɒ/: LOT is said as THOUGHT
        "ɑː": ("A:", "en-us-nyc"),  # en-us A: (F1 706) falls in /ʌ/; en-us-nyc's is /ɑ/
    },
    "en-gb-x-rp": {
        "ɜː": ("3:", "en"),  # en-rp's 3: (F1 537) is heard as /ə/
        "ʊə": ("U@", "en"),  # en-rp's U@ does not glide (said as /ɔː/)
    },
}

STOPS_AND_AFFRICATES = {"p", "b", "t", "d", "k", "ɡ", "tʃ", "dʒ"}
FRICATIVES = {"f", "v", "θ", "ð", "s", "z", "ʃ", "ʒ"}
# Nasals, approximants and /h/ are only heard well in a syllable.
SYLLABLE_CONSONANTS = set(CONSONANTS) - STOPS_AND_AFFRICATES - FRICATIVES
_STRESS = {"ˈ": "'", "ˌ": ","}


def phoneme_input(symbol: str, voice: str) -> tuple[str, str]:
    """The ``[[...]]`` text, and the voice to say it with, for the phoneme ``symbol`` alone."""
    sound, render_voice = PHONEME_OVERRIDES.get(voice, {}).get(symbol, (MNEMONICS[symbol], None))
    if symbol in STOPS_AND_AFFRICATES:
        text = f"'{sound}@"  # a short neutral vowel lets the release be heard
    elif symbol in FRICATIVES:
        text = f"'{sound}{sound}{sound}"  # held
    elif symbol == "ŋ":
        text = f"'V{sound}"  # /ŋ/ never starts a syllable: "ung"
    elif symbol in SYLLABLE_CONSONANTS:
        text = f"'{sound}A:"
    else:
        # A leading stress mark: unstressed final /ɪ/ and /ə/ would be reduced to [i] and [ɐ].
        text = f"'{sound}"
    return f"[[{text}]]", render_voice or voice


def word_input(transcription: str) -> str:
    """The ``[[...]]`` text for a word's IPA, with its stress marks (said with eSpeak's own
    vowels for the voice: a word cannot switch phoneme tables halfway)."""
    value = transcription.strip().strip("/")
    parts: list[str] = []
    for char_or_symbol in _with_marks(value):
        if char_or_symbol in _STRESS:
            parts.append(_STRESS[char_or_symbol])
        elif char_or_symbol not in MARKS:
            parts.append(MNEMONICS[char_or_symbol])
    if not any(p in ("'", ",") for p in parts):
        parts.insert(0, "'")  # one-syllable words carry primary stress
    return f"[[{''.join(parts)}]]"


def _with_marks(transcription: str) -> list[str]:
    """Phoneme symbols of a transcription with the stress marks kept in place."""
    symbols: list[str] = []
    chunk = ""
    for char in transcription:
        if char in _STRESS:
            symbols += tokenize_ipa(chunk) if chunk else []
            symbols.append(char)
            chunk = ""
        else:
            chunk += char
    symbols += tokenize_ipa(chunk) if chunk else []
    return symbols


def words_per_minute(rate: str, *, is_phoneme: bool) -> int:
    """edge-tts style relative rate ("-30%") to eSpeak's words per minute."""
    if is_phoneme:
        return PHONEME_WPM
    try:
        percent = int(rate.strip().rstrip("%"))
    except ValueError:
        raise TTSError(f"rate {rate!r} is not a percentage like '-30%'", retryable=False) from None
    return max(MIN_WPM, min(MAX_WPM, round(DEFAULT_WPM * (100 + percent) / 100)))


class _Library:
    """The process's one libespeak-ng, initialised once."""

    def __init__(self):
        import espeakng_loader

        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_SYNTH_CALLBACK]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
            ctypes.c_uint, ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p,
        ]  # fmt: skip
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_Synchronize.restype = ctypes.c_int
        data_path = espeakng_loader.get_data_path().encode()
        sample_rate = lib.espeak_Initialize(
            AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, INITIALIZE_DONT_EXIT
        )
        if sample_rate <= 0:
            raise TTSError(f"eSpeak NG failed to initialise ({sample_rate})", retryable=False)
        self.lib, self.sample_rate = lib, sample_rate
        self.lock = threading.Lock()
        self._chunks: list[np.ndarray] = []
        self._callback = _SYNTH_CALLBACK(self._collect)  # referenced, or ctypes frees it
        lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav, count, events) -> int:
        if count > 0 and wav:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0

    def synthesize(self, text: str, *, voice: str, wpm: int) -> np.ndarray:
        with self.lock:
            if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise TTSError(f"eSpeak NG has no voice {voice!r}", retryable=False)
            self.lib.espeak_SetParameter(PARAM_RATE, wpm, 0)
            self._chunks = []
            data = text.encode("utf-8") + b"\0"
            status = self.lib.espeak_Synth(
                data, len(data), 0, POS_CHARACTER, 0, CHARS_UTF8 | PHONEMES, None, None
            )
            if status != 0:
                raise TTSError(f"eSpeak NG synthesis failed ({status})", retryable=False)
            self.lib.espeak_Synchronize()
            return np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)


_library: _Library | None = None
_library_lock = threading.Lock()


def library() -> _Library:
    """The process's libespeak-ng, loaded once (threads asking at once get the same one:
    two instances would steal each other's audio through the one global callback)."""
    global _library
    if _library is None:
        with _library_lock:
            if _library is None:
                try:
                    _library = _Library()
                except OSError as exc:
                    raise TTSError(
                        f"eSpeak NG library could not be loaded: {exc}", retryable=False
                    ) from exc
    return _library


class ESpeakEngine(TTSEngine):
    name = "espeak-ng"
    supports_phonemes = True

    def synthesize(self, request: SynthesisRequest) -> SynthesisResult:
        voice = request.voice.name
        try:
            if request.is_phoneme:
                text, render_voice = phoneme_input(request.ipa, voice)
            else:
                text, render_voice = word_input(request.ipa), voice
        except (KeyError, ValueError) as exc:
            raise TTSError(
                f"cannot convert /{request.ipa}/ to eSpeak phonemes: {exc}", retryable=False
            ) from exc
        engine = library()
        wpm = words_per_minute(request.rate, is_phoneme=request.is_phoneme)
        pcm = engine.synthesize(text, voice=render_voice, wpm=wpm)
        audio = encode_mp3(normalize_loudness(pcm, engine.sample_rate), engine.sample_rate)
        return SynthesisResult(
            audio=audio,
            format="mp3",
            duration=mp3_duration(audio),
            settings={
                "engine": self.name,
                "tts_rate": request.rate,
                "espeak_input": text,
                "espeak_voice": render_voice,
            },
        )
