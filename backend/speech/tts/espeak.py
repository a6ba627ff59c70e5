"""eSpeak NG, the offline engine: fed eSpeak phoneme mnemonics, never IPA glyphs as text.

A TTS engine given "iː" as text reads the symbol's name. eSpeak can instead take phonemes in
``[[...]]`` notation when ``espeakPHONEMES`` is set, so every request is converted from IPA to
eSpeak's mnemonics (``iː`` → ``i:``, ``θ`` → ``T``) and shaped so the phoneme is audible alone:
vowels and diphthongs on their own, plosives and affricates with a short neutral vowel after
them (whispered after voiceless ones), fricatives held, nasals, approximants and /h/ in a
syllable (/h/'s whispered). Where a voice's own mnemonic is not right, a phoneme alone is said
with another mnemonic, a sibling voice's, or lines added to the voice's file (a vowel's
formants moved, /ʒ/'s noise turned down): see PHONEME_OVERRIDES and CONSONANT_RENDERINGS.

The library and its voices come from the ``espeakng-loader`` wheel and are driven through ctypes
(libespeak-ng's ``speak_lib.h``). The library keeps global state, so calls are serialised.
"""

import ctypes
import hashlib
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from speech.ipa import CONSONANTS, MARKS, VOWELS, tokenize_ipa
from speech.pcm import encode_mp3, mp3_duration, normalize_loudness
from speech.tts.base import SynthesisRequest, SynthesisResult, TTSEngine, TTSError

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
    "oʊ": "oU",  # General American GOAT
}  # fmt: skip

# General American r-coloured vowels (a vowel + /r/ that no vowel follows) as eSpeak's own en-us
# dictionary writes them (espeak_TextToPhonemes): car k'A@, horse h'O@s, bird b'3:d, teacher
# t'i:tS3, near n'i@3, hair h'e@, tour t'U@. A British form never has such an /r/.
R_COLOURED = {"ɑː": "A@", "ɔː": "O@", "ɜː": "3:", "ə": "3", "ɪ": "i@3", "e": "e@", "ʊ": "U@"}


@dataclass(frozen=True)
class Rendering:
    """How a voice says one phoneme alone where its own mnemonic is not right: another
    mnemonic, a sibling voice whose phoneme table has the sound (the English voice files
    differ in little but their table), and eSpeak voice-file lines added to the voice
    (``formant 1 90 100 100`` puts every F1 at 90 %: a vowel target moved, same speaker)."""

    mnemonic: str = ""
    voice: str = ""
    voice_lines: tuple[str, ...] = ()


# Chosen by `bench/vowel_sweep.py`, which measures every vowel mnemonic of the English voices,
# and small formant corrections, with Praat against both published references of the accent
# (bench/results/vowel_sweep.txt has the table). A mnemonic is only a name: en-029's "3:" is
# a back rounded vowel. F1/F2 (Hz) as measured; "formant 1 90 100 100" puts F1 at 90 %.
PHONEME_OVERRIDES: dict[str, dict[str, Rendering]] = {
    "en-us": {
        "uː": Rendering("u", "", ("formant 2 105 100 100",)),  # 346/920; u: is fronted: /ɝ/
        # 508/1498; en-us @ (535/1434) is only 0.13 Bark nearer /ə/ than /ɝ/
        "ə": Rendering("@", "", ("formant 1 95 100 100", "formant 2 105 100 100")),
        # 488/1364, F3 1930: r-coloured (the voice's own 3: has F3 2150 and is heard as /ə/)
        "ɜː": Rendering("3:", "", ("formant 2 95 100 100", "formant 3 90 100 100")),
        "ɔː": Rendering("3:", "en-029"),  # 580/921; en-us O: (645/1000) is /ɑ/ for P&B
        # 643/1909: Hillenbrand's raised /æ/ and Peterson & Barney's open one agree here
        "æ": Rendering("a2", "en-us-nyc", ("formant 1 115 100 100", "formant 2 110 100 100")),
        "ɑː": Rendering("A:", "en-gb-scotland"),  # 767/1172; en-us A: (707/1189): /ʌ/ for P&B
        # 672/1060: General American has no /ɒ/; LOT is /ɑ/ for P&B, /ɔ/ for Hillenbrand
        "ɒ": Rendering("O", "", ("formant 2 95 100 100",)),
    },
    "en-gb-x-rp": {
        # 423/1162; en-rp's U (475/1019) is /ɒ/ under both references
        "ʊ": Rendering("U", "", ("formant 1 90 100 100", "formant 2 115 100 100")),
        # 307/1395: between Deterding's back GOOSE (1191) and today's fronted one (1616)
        "uː": Rendering("u:", "en-gb-x-gbclan", ("formant 1 95 100 100",)),
        "ə": Rendering("@", "en-gb-scotland"),  # 512/1490; en-rp's @ (573/1430): margin 0.03
        "ɜː": Rendering("3:", "en"),  # 489/1404; en-rp's 3: (537/1439) is heard as /ə/
        # 440/698; en-rp's O: (540/864) is too open: /ɒ/ for Hawkins & Midgley (H&M)
        "ɔː": Rendering("o:", "en-029", ("formant 1 85 100 100", "formant 2 85 100 100")),
        "æ": Rendering("a", "", ("formant 1 115 100 100",)),  # 800/1501; 700/1512: /ʌ/ for H&M
        # 646/1059; en-rp's A: (663/1111) is /ʌ/ for H&M
        "ɑː": Rendering("aa", "", ("formant 1 95 100 100", "formant 2 95 100 100")),
        "ɒ": Rendering("V", "en-gb-x-gbclan"),  # 489/991; en-rp's 0 (648/999): /ɑː/ for H&M
        "ʊə": Rendering("U@", "en"),  # en-rp's U@ does not glide (said as /ɔː/)
    },
}
# The same in every voice, chosen by `bench/consonant_sweep.py`
# (bench/results/consonant_sweep.txt): eSpeak's /ʒ/ frication drowns its voicing (Praat hears
# no pitch in it: a /ʃ/), so its voiced-consonant noise is turned down.
CONSONANT_RENDERINGS: dict[str, Rendering] = {
    "ʒ": Rendering(voice_lines=("consonants 100 40",)),
}

STOPS_AND_AFFRICATES = {"p", "b", "t", "d", "k", "ɡ", "tʃ", "dʒ"}
FRICATIVES = {"f", "v", "θ", "ð", "s", "z", "ʃ", "ʒ"}
# Whispered (chosen by `bench/consonant_sweep.py`): a voiceless plosive or affricate with a
# whispered neutral vowel after it, its release and aspiration heard and no voiced vowel
# ([pʰə̥], not "pə"); /h/ before a whispered vowel. WHISPER is the breath of eSpeak's own
# whisper variant (voices/!v/whisper) with no voicing left (the variant keeps 17 %, which
# Praat sometimes hears) and without its pitch and formant lines: the speaker stays the same.
WHISPERED = {"p", "t", "k", "tʃ", "h"}
WHISPER = ("voicing 0", "breath 75 75 50 40 15 10", "breathw 150 150 200 200 400 400")
# Nasals, approximants and /h/ are only heard well in a syllable.
SYLLABLE_CONSONANTS = set(CONSONANTS) - STOPS_AND_AFFRICATES - FRICATIVES
_STRESS = {"ˈ": "'", "ˌ": ","}


@dataclass(frozen=True)
class ESpeakInput:
    """What eSpeak is given: the ``[[...]]`` text, the voice (``name`` or ``name+variant``)
    and lines added to that voice's file."""

    text: str
    voice: str
    voice_lines: tuple[str, ...] = ()

    @property
    def voice_label(self) -> str:
        """The voice for display: "en-us", "en-us whispered", "en-us [formant 1 90 100 100]"."""
        lines = list(self.voice_lines)
        whispered = len(lines) >= len(WHISPER) and tuple(lines[-len(WHISPER) :]) == WHISPER
        label = f"{self.voice} whispered" if whispered else self.voice
        lines = lines[: -len(WHISPER)] if whispered else lines
        return f"{label} [{'; '.join(lines)}]" if lines else label


def phoneme_input(symbol: str, voice: str) -> ESpeakInput:
    """What eSpeak says for the phoneme ``symbol`` alone in ``voice``."""
    rendering = PHONEME_OVERRIDES.get(voice, {}).get(symbol) or CONSONANT_RENDERINGS.get(
        symbol, Rendering()
    )
    sound = rendering.mnemonic or MNEMONICS[symbol]
    voice_lines = rendering.voice_lines + (WHISPER if symbol in WHISPERED else ())
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
    return ESpeakInput(f"[[{text}]]", rendering.voice or voice, voice_lines)


def word_input(transcription: str) -> str:
    """The ``[[...]]`` text for a word's IPA, with its stress marks (said with eSpeak's own
    vowels for the voice: a word cannot switch phoneme tables halfway)."""
    value = transcription.strip().strip("/")
    symbols = _with_marks(value)
    sounds = [i for i, symbol in enumerate(symbols) if symbol not in _STRESS]
    coloured: dict[int, int] = {}  # vowel position -> position of the /r/ said with it
    for before, r, after in zip(sounds, sounds[1:], [*sounds[2:], None], strict=False):
        if (
            symbols[r] == "r"
            and symbols[before] in R_COLOURED
            and (after is None or symbols[after] not in VOWELS)
        ):
            coloured[before] = r
    parts: list[str] = []
    for index, char_or_symbol in enumerate(symbols):
        if char_or_symbol in _STRESS:
            parts.append(_STRESS[char_or_symbol])
        elif index in coloured:
            parts.append(R_COLOURED[char_or_symbol])
        elif index not in coloured.values() and char_or_symbol not in MARKS:
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
        lib.espeak_SetVoiceByFile.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByFile.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
            ctypes.c_uint, ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p,
        ]  # fmt: skip
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_Synchronize.restype = ctypes.c_int
        data_path = espeakng_loader.get_data_path()
        sample_rate = lib.espeak_Initialize(
            AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode(), INITIALIZE_DONT_EXIT
        )
        if sample_rate <= 0:
            raise TTSError(f"eSpeak NG failed to initialise ({sample_rate})", retryable=False)
        self.lib, self.sample_rate = lib, sample_rate
        self.lock = threading.Lock()
        self._data_path = data_path
        self._voice_files = {p.name.lower(): p for p in Path(data_path, "lang").rglob("*")}
        self._voice_dir: tempfile.TemporaryDirectory | None = None
        self._chunks: list[np.ndarray] = []
        self._callback = _SYNTH_CALLBACK(self._collect)  # referenced, or ctypes frees it
        lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav, count, events) -> int:
        if count > 0 and wav:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0

    def _voice_file(self, voice: str, lines: tuple[str, ...]) -> Path:
        """A voice file made of ``voice``'s own file, its variant's lines (``name+variant``)
        and ``lines`` (in a private temporary folder, one file per distinct content)."""
        name, _, variant = voice.partition("+")
        base = self._voice_files.get(name.lower())
        variant_file = Path(self._data_path, "voices", "!v", variant)
        if base is None or not base.is_file() or (variant and not variant_file.is_file()):
            raise TTSError(f"eSpeak NG has no voice {voice!r}", retryable=False)
        variant_lines = [
            line
            for line in (variant_file.read_text().splitlines() if variant else [])
            if line.split()[:1] not in (["name"], ["language"])
        ]
        text = "\n".join([base.read_text(), *variant_lines, *lines]) + "\n"
        if self._voice_dir is None:
            self._voice_dir = tempfile.TemporaryDirectory(prefix="phatam-espeak-voices-")
        path = Path(self._voice_dir.name, hashlib.sha256(text.encode()).hexdigest()[:16])
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return path

    def synthesize(
        self, text: str, *, voice: str, wpm: int, voice_lines: tuple[str, ...] = ()
    ) -> np.ndarray:
        """int16 PCM of ``text`` said by ``voice`` (``name`` or ``name+variant``) with
        ``voice_lines`` added to its voice file."""
        with self.lock:
            if voice_lines:
                status = self.lib.espeak_SetVoiceByFile(
                    str(self._voice_file(voice, voice_lines)).encode()
                )
            else:
                status = self.lib.espeak_SetVoiceByName(voice.encode())
            if status != 0:
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
                said = phoneme_input(request.ipa, voice)
            else:
                said = ESpeakInput(word_input(request.ipa), voice)
        except (KeyError, ValueError) as exc:
            raise TTSError(
                f"cannot convert /{request.ipa}/ to eSpeak phonemes: {exc}", retryable=False
            ) from exc
        engine = library()
        wpm = words_per_minute(request.rate, is_phoneme=request.is_phoneme)
        pcm = engine.synthesize(said.text, voice=said.voice, wpm=wpm, voice_lines=said.voice_lines)
        audio = encode_mp3(normalize_loudness(pcm, engine.sample_rate), engine.sample_rate)
        return SynthesisResult(
            audio=audio,
            format="mp3",
            duration=mp3_duration(audio),
            settings={
                "engine": self.name,
                "tts_rate": request.rate,
                "espeak_input": said.text,
                "espeak_voice": said.voice_label,
            },
        )
