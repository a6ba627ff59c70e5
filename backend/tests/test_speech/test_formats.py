"""Audio formats are recognised from the first bytes, never from the name."""

import pytest

from speech.formats import EXTENSIONS, detect_format
from tests import audio_fixtures


@pytest.mark.parametrize("fmt", sorted(audio_fixtures.ENCODERS))
def test_each_accepted_format_is_recognised_from_a_real_file(fmt):
    assert detect_format(audio_fixtures.ENCODERS[fmt](0.2)[:16]) == fmt


def test_an_id3_tag_counts_as_mp3():
    assert detect_format(b"ID3\x04\x00\x00\x00\x00\x00\x00") == "mp3"


@pytest.mark.parametrize(
    "head",
    [
        b"<!DOCTYPE html><html>",
        b"",
        b"\xff\xfb\xf0\x64",  # MPEG sync with the "bad" bitrate index 15
        b"\xff\xf9\x90\x64",  # MPEG sync with the reserved layer 0
        b"RIFF\x24\x00\x00\x00AVI LIST",  # RIFF, but not WAVE
    ],
)
def test_what_is_not_audio_is_not_recognised(head):
    assert detect_format(head) is None


def test_every_extension_names_one_format():
    assert EXTENSIONS == {
        "mp3": "mp3", "wav": "wav", "ogg": "ogg", "oga": "ogg", "opus": "ogg",
        "m4a": "m4a", "mp4": "m4a",
    }  # fmt: skip
