"""edge-tts, the online engine. This machine has no network, and that is the condition tested:
nothing here is mocked."""

from django.core.cache import cache
from django.test import SimpleTestCase

from apps.curriculum.tts import SynthesisRequest, TTSError, Voice
from apps.curriculum.tts.edge import EdgeTTSEngine

ARIA = Voice("edge", "en-US-AriaNeural", "en-US")


class EdgeTTSEngineTests(SimpleTestCase):
    def setUp(self):
        cache.clear()  # forget an outage remembered by another test
        self.addCleanup(cache.clear)
        self.engine = EdgeTTSEngine(timeout=4, failure_memory=300)

    def test_a_phoneme_is_never_asked_of_edge_tts(self):
        with self.assertRaises(TTSError) as caught:
            self.engine.synthesize(SynthesisRequest(voice=ARIA, ipa="iː"))
        self.assertFalse(caught.exception.retryable)

    def test_a_word_without_network_is_a_retryable_failure(self):
        with self.assertRaises(TTSError) as caught:
            self.engine.synthesize(SynthesisRequest(voice=ARIA, ipa="/siː/", word="see"))
        self.assertTrue(caught.exception.retryable)
        self.assertNotIn("remembered", str(caught.exception))

    def test_the_outage_is_remembered_so_the_next_request_fails_without_the_network(self):
        request = SynthesisRequest(voice=ARIA, ipa="/siː/", word="see")
        with self.assertRaises(TTSError):
            self.engine.synthesize(request)
        with self.assertRaises(TTSError) as caught:
            EdgeTTSEngine().synthesize(request)  # another instance: the memory is shared
        self.assertTrue(caught.exception.retryable)
        self.assertIn("remembered", str(caught.exception))
