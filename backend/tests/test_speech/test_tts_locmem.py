"""The in-memory engine every Django test speaks with (like Django's locmem mail backend)."""

import pytest

from speech.pcm import mp3_duration
from speech.tts.base import SynthesisRequest, TTSError, Voice
from speech.tts.locmem import LocMemEngine

VOICE = Voice("mem", "us", "en-US")


@pytest.fixture(autouse=True)
def fresh_engine():
    LocMemEngine.reset()
    yield
    LocMemEngine.reset()


def test_it_says_a_short_mp3_and_records_the_request():
    request = SynthesisRequest(voice=VOICE, ipa="iː", rate="-30%")
    result = LocMemEngine().synthesize(request)
    assert result.format == "mp3"
    assert result.duration == pytest.approx(mp3_duration(result.audio))
    assert result.settings == {"engine": "locmem", "tts_rate": "-30%"}
    assert LocMemEngine.requests == [request]


def test_every_instance_records_in_one_list():
    LocMemEngine().synthesize(SynthesisRequest(voice=VOICE, ipa="iː"))
    LocMemEngine().synthesize(SynthesisRequest(voice=VOICE, ipa="ɪ"))
    assert [request.ipa for request in LocMemEngine.requests] == ["iː", "ɪ"]


def test_it_can_be_told_to_fail_and_reset_forgets_it():
    LocMemEngine.failure = TTSError("down", retryable=True)
    with pytest.raises(TTSError, match="down"):
        LocMemEngine().synthesize(SynthesisRequest(voice=VOICE, ipa="iː"))
    assert len(LocMemEngine.requests) == 1, "a failed request is recorded too"
    LocMemEngine.reset()
    assert (LocMemEngine.requests, LocMemEngine.failure, LocMemEngine.delay) == ([], None, 0.0)
    LocMemEngine().synthesize(SynthesisRequest(voice=VOICE, ipa="iː"))
