"""Decoding audio in full before anyone trusts it (the upload API's tests cover every
message a sender sees; these pin the contract the services build on)."""

import io

import av
import numpy as np
import pytest

from speech.decoding import AudioRejected, audio_inspect, decode_bytes
from tests import audio_fixtures


def inspect(data: bytes, name: str = "take.wav", **limits):
    upload = io.BytesIO(data)
    info = audio_inspect(
        upload, name=name, min_seconds=limits.get("min", 0.1), max_seconds=limits.get("max", 10)
    )
    return info, upload


def test_a_file_is_described_and_its_samples_are_mono_floats():
    info, upload = inspect(audio_fixtures.wav(1.0, rate=22050))
    assert (info.format, info.extension, info.sample_rate, info.channels) == (
        "wav", "wav", 22050, 1,
    )  # fmt: skip
    assert info.duration == pytest.approx(1.0, abs=0.01)
    assert info.samples.dtype == np.float64
    assert 0.2 < np.abs(info.samples).max() <= 1.0
    assert upload.tell() == 0, "the file is handed back at its start"


def test_the_extension_of_a_format_is_its_first_name():
    info, _ = inspect(audio_fixtures.m4a(0.5), "take.mp4")
    assert (info.format, info.extension) == ("m4a", "m4a")


def test_a_rejected_file_is_handed_back_at_its_start_too():
    upload = io.BytesIO(audio_fixtures.mp3(0.05))
    with pytest.raises(AudioRejected, match="it must last 0.1 to 10 s"):
        audio_inspect(upload, name="take.mp3", min_seconds=0.1, max_seconds=10)
    assert upload.tell() == 0


def test_engine_output_is_decoded_from_bytes():
    info = decode_bytes(audio_fixtures.mp3(0.5))
    assert info.format == "mp3"
    assert info.duration == pytest.approx(0.5, abs=0.1)


@pytest.mark.parametrize("data", [b"", b"not audio at all", b"ID3\x04" + b"\x00" * 40])
def test_bytes_that_are_not_decodable_audio_are_rejected(data):
    with pytest.raises(AudioRejected):
        decode_bytes(data)


def test_bytes_after_a_wavs_riff_chunk_never_reach_the_decoder(monkeypatch):
    """A WAV padded with megabytes is decoded from its RIFF chunk only: FFmpeg would walk
    through the padding looking for more chunks (about a second of CPU a megabyte)."""

    wav = audio_fixtures.wav(1.0, rate=22050)
    opened = []
    real_open = av.open

    def recording_open(file, *args, **kwargs):
        file.seek(0, io.SEEK_END)
        opened.append(file.tell())
        file.seek(0)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(av, "open", recording_open)
    info, upload = inspect(wav + b"\0" * (4 * 1024 * 1024) + b"<html><script>")
    assert opened == [len(wav)]
    assert info.duration == pytest.approx(1.0, abs=0.01)
    assert info.size == len(wav) + 4 * 1024 * 1024 + 14  # the upload's size, as stored
    assert upload.tell() == 0
