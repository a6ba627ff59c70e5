"""Is there a sound worth keeping in a recording? Silence and noise are not.

:func:`speech_presence` answers with the reason to refuse a recording, or ``None``. It runs on
every native recording before it is stored (decoding has already refused what is not audio).

- **Silent**: the level (RMS, without any DC offset) is below :data:`SILENT_BELOW_DBFS`.
- **Noise**: no voice (Praat hears a pitch in almost no frame), a spectrum as flat as white
  noise's across the whole band, and a level that never rises or falls. Each test alone lets
  speech be mistaken for noise: a held /s/ or /f/ has no voice, and a steady held vowel no
  envelope; but a fricative's spectrum is shaped by the mouth (flatness well under
  :data:`FLAT_SPECTRUM`), and a real take starts and ends.

Measured on eSpeak NG's phonemes (vowels, diphthongs, plosives, fricatives, nasals and
approximants; male and female voices) and on the tones the tests upload, against uniform
random 8-bit noise (WAV) at 8–48 kHz:

========================  ============  ===========  ==========================
                          voiced share  flatness     level spread (5–95 %)
========================  ============  ===========  ==========================
vowels, nasals, /h/ /z/   0.4–0.8       ≤ 0.03       > 150 dB (silence around)
/s/ /ʃ/ /ʒ/ /θ/ /f/       0–0.25        0.05–0.16    > 150 dB
sine tones                1             ≈ 0          < 1 dB
random 8-bit noise        0             0.92–0.99    < 1 dB
========================  ============  ===========  ==========================

Known limit: noise that went through a lossy codec (MP3, AAC, Opus) has lost its top band,
so its whole-band flatness is low and it is not refused as noise.
"""

import logging

import numpy as np

logger = logging.getLogger(__name__)

SILENT_BELOW_DBFS = -60.0
# Below this share of voiced frames a recording counts as voiceless (a held /s/ has none).
VOICED_SHARE = 0.05
# Spectral flatness of the long-term spectrum (geometric over arithmetic mean): white noise is
# 1 (0.92 in a 0.1 s take); the flattest fricative, /f/, measures 0.15.
FLAT_SPECTRUM = 0.5
# Spread between the quietest and loudest 20 ms frames (5th to 95th percentile): steady noise
# measures under 1 dB; a take with a breath of room tone before and after, tens of dB.
STEADY_LEVEL_DB = 6.0
# Frames further than this below the loudest one are pauses: left out of the spectrum.
PAUSE_BELOW_DB = 30.0


def speech_presence(samples: np.ndarray, sample_rate: int) -> str | None:
    """The reason ``samples`` (mono floats in [-1, 1]) hold no sound worth keeping, for the
    person who recorded them, or ``None`` when they do."""
    samples = np.asarray(samples, dtype=np.float64)
    if samples.size == 0 or sample_rate <= 0:
        return "The recording is silent: it holds no samples."
    level = level_dbfs(samples)
    if level < SILENT_BELOW_DBFS:
        return (
            f"The recording is silent ({_silence(level)}); check the microphone and record again."
        )
    voiced = voiced_share(samples, sample_rate)
    if voiced is not None and voiced >= VOICED_SHARE:
        return None
    flatness = spectral_flatness(samples, sample_rate)
    spread = level_spread_db(samples, sample_rate)
    if flatness >= FLAT_SPECTRUM and spread < STEADY_LEVEL_DB:
        return (
            "The recording holds no speech-like sound: no voice, an even hiss across every "
            f"frequency (spectral flatness {flatness:.2f}) at a steady level, as noise is. "
            "Record the sound again."
        )
    return None


def level_dbfs(samples: np.ndarray) -> float:
    """RMS level in dB relative to full scale, any DC offset removed (``-inf`` for silence)."""
    centred = samples - samples.mean()
    rms = float(np.sqrt(np.mean(centred**2)))
    return 20 * np.log10(rms) if rms > 0 else float("-inf")


def voiced_share(samples: np.ndarray, sample_rate: int) -> float | None:
    """The share of 10 ms frames in which Praat hears a pitch (60–600 Hz), or ``None`` when
    the audio is too short or its sample rate too low to tell."""
    import parselmouth

    try:
        sound = parselmouth.Sound(samples, sampling_frequency=sample_rate)
        frequencies = sound.to_pitch_ac(
            time_step=0.01, pitch_floor=60.0, pitch_ceiling=600.0
        ).selected_array["frequency"]
    except parselmouth.PraatError as exc:
        logger.info("No pitch analysis at %s Hz: %s", sample_rate, exc)
        return None
    return float(np.mean(frequencies > 0)) if frequencies.size else None


def spectral_flatness(samples: np.ndarray, sample_rate: int) -> float:
    """Flatness (0–1) of the long-term power spectrum across the whole band, averaged over
    ~23 ms Hann frames that are not pauses."""
    frames = _frames(samples, _frame_length(sample_rate, 0.023), hop_share=0.5)
    energy = np.sum(frames**2, axis=1)
    sounding = frames[energy >= energy.max() * 10 ** (-PAUSE_BELOW_DB / 10)]
    spectrum = np.abs(np.fft.rfft(sounding * np.hanning(frames.shape[1]), axis=1)) ** 2
    power = spectrum.mean(axis=0)[1:]  # without DC
    if power.size == 0 or power.mean() <= 0:
        return 0.0
    floor = power.mean() * 1e-12  # a band with exactly no energy counts as very little
    return float(np.exp(np.mean(np.log(power + floor))) / power.mean())


def level_spread_db(samples: np.ndarray, sample_rate: int) -> float:
    """dB between the 5th and 95th percentile levels of 20 ms frames."""
    frames = _frames(samples, _frame_length(sample_rate, 0.020), hop_share=1.0)
    power = np.mean(frames**2, axis=1)
    levels = 10 * np.log10(power + 1e-20)
    return float(np.percentile(levels, 95) - np.percentile(levels, 5))


def _frame_length(sample_rate: int, seconds: float) -> int:
    return max(8, int(sample_rate * seconds))


def _frames(samples: np.ndarray, length: int, *, hop_share: float) -> np.ndarray:
    if samples.size < length:
        return np.pad(samples, (0, length - samples.size))[np.newaxis]
    hop = max(1, int(length * hop_share))
    return np.lib.stride_tricks.sliding_window_view(samples, length)[::hop]


def _silence(level: float) -> str:
    if level == float("-inf"):
        return "it holds no sound at all"
    return f"its level is {level:.0f} dBFS, below {SILENT_BELOW_DBFS:g} dBFS"
