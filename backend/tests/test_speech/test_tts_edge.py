"""edge-tts, the online engine, without the internet: a fake transport, a name lookup that
fails, and a real listener on 127.0.0.1 that accepts and never answers."""

import socket
import threading
import time
from types import SimpleNamespace

import edge_tts.communicate
import pytest

from speech.pcm import encode_mp3, mp3_duration, normalize_loudness, tone
from speech.tts import base
from speech.tts.base import LocalState, SynthesisRequest, TTSError, Voice
from speech.tts.edge import PROBE_KEY, EdgeTTSEngine, websocket_transport

ARIA = Voice("edge", "en-US-AriaNeural", "en-US")
SEE = SynthesisRequest(voice=ARIA, ipa="/siː/", word="see", rate="-30%")
MP3 = encode_mp3(normalize_loudness(tone(0.5), 22050), 22050)


class FakeTransport:
    """Answers with ``answer`` (bytes, or an exception to raise) and counts its calls."""

    def __init__(self, answer: bytes | BaseException = MP3):
        self.answer = answer
        self.calls: list[tuple[SynthesisRequest, float]] = []

    def __call__(self, request: SynthesisRequest, timeout: float) -> bytes:
        self.calls.append((request, timeout))
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer


class Clock:
    def __init__(self):
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def test_a_word_comes_back_as_mp3_with_its_duration():
    transport = FakeTransport(MP3)
    engine = EdgeTTSEngine(timeout=4, transport=transport)

    result = engine.synthesize(SEE)

    assert (result.audio, result.format) == (MP3, "mp3")
    assert result.duration == pytest.approx(mp3_duration(MP3))
    assert result.settings == {"engine": "edge-tts", "tts_rate": "-30%"}
    assert transport.calls == [(SEE, 4.0)]


def test_a_phoneme_is_never_asked_of_edge_tts():
    transport = FakeTransport()

    with pytest.raises(TTSError) as caught:
        EdgeTTSEngine(transport=transport).synthesize(SynthesisRequest(voice=ARIA, ipa="iː"))

    assert caught.value.retryable is False
    assert transport.calls == []


def test_an_empty_answer_is_a_retryable_failure():
    with pytest.raises(TTSError, match="no audio") as caught:
        EdgeTTSEngine(transport=FakeTransport(b"")).synthesize(SEE)
    assert caught.value.retryable is True


def test_a_failed_name_lookup_is_a_retryable_failure(monkeypatch):
    lookups = []

    def no_dns(host, *args, **kwargs):
        lookups.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    engine = EdgeTTSEngine(timeout=2)  # the real websocket transport

    with pytest.raises(TTSError) as caught:
        engine.synthesize(SEE)

    assert caught.value.retryable is True
    assert "ClientConnectorDNSError" in str(caught.value)
    assert lookups == ["speech.platform.bing.com"]


@pytest.fixture
def silent_server():
    """A TCP server on 127.0.0.1 that accepts connections and never sends a byte."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            accepted.append(connection)  # held open, never answered

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield SimpleNamespace(port=server.getsockname()[1], accepted=accepted)
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


def test_a_connection_that_never_answers_gives_up_after_the_timeout(monkeypatch, silent_server):
    url = f"wss://127.0.0.1:{silent_server.port}/edge/v1?TrustedClientToken=test"
    monkeypatch.setattr(edge_tts.communicate, "WSS_URL", url)
    engine = EdgeTTSEngine(timeout=1)  # the real websocket transport

    started = time.monotonic()
    with pytest.raises(TTSError) as caught:
        engine.synthesize(SEE)
    elapsed = time.monotonic() - started

    assert caught.value.retryable is True
    assert "TimeoutError" in str(caught.value)
    assert 0.9 <= elapsed < 4, elapsed
    assert len(silent_server.accepted) == 1

    started = time.monotonic()
    with pytest.raises(TTSError, match="remembered"):
        engine.synthesize(SEE)
    assert time.monotonic() - started < 0.5
    assert len(silent_server.accepted) == 1, "the remembered outage does not try again"


def test_a_failure_is_remembered_by_every_engine_sharing_the_state():
    state = LocalState()
    failing = FakeTransport(ConnectionResetError("reset by peer"))
    other = FakeTransport(MP3)

    with pytest.raises(TTSError, match="ConnectionResetError: reset by peer"):
        EdgeTTSEngine(state=state, transport=failing).synthesize(SEE)
    with pytest.raises(TTSError, match="remembered") as caught:
        EdgeTTSEngine(state=state, transport=other).synthesize(SEE)

    assert caught.value.retryable is True
    assert other.calls == []


def test_the_network_is_tried_again_once_the_failure_memory_is_over(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(base, "time", clock)  # the LocalState's clock
    transport = FakeTransport(OSError("Network is unreachable"))
    engine = EdgeTTSEngine(failure_memory=300, transport=transport)
    with pytest.raises(TTSError):
        engine.synthesize(SEE)

    clock.now += 299
    with pytest.raises(TTSError, match="remembered"):
        engine.synthesize(SEE)
    clock.now += 1
    transport.answer = MP3
    assert engine.synthesize(SEE).audio == MP3
    assert len(transport.calls) == 2


def test_while_the_health_is_unknown_one_request_probes_and_the_others_fail_at_once():
    """20 words asked at once on a network that silently drops packets cost one wait."""
    hang = threading.Event()
    calls = []

    def silent_network(request, timeout):
        calls.append(request)
        hang.wait(30)  # until the test lets the "timeout" happen
        raise TimeoutError()

    engine = EdgeTTSEngine(timeout=4, transport=silent_network)
    barrier = threading.Barrier(20)
    errors: list[tuple[float, TTSError]] = []
    done = threading.Semaphore(0)

    def ask():
        barrier.wait()
        try:
            engine.synthesize(SEE)
        except TTSError as exc:
            errors.append((time.monotonic(), exc))
        finally:
            done.release()

    threads = [threading.Thread(target=ask) for _ in range(20)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        for _ in range(19):
            assert done.acquire(timeout=5), "a request waited for the probe"
        assert len(calls) == 1
        assert not hang.is_set()
        assert all(when - started < 2 for when, _ in errors)
        assert all(exc.retryable for _, exc in errors)
        assert all("being checked" in str(exc) for _, exc in errors)
    finally:
        hang.set()
        for thread in threads:
            thread.join()

    assert len(errors) == 20
    assert len(calls) == 1
    assert sum("TimeoutError" in str(exc) for _, exc in errors) == 1


def test_once_the_service_answered_requests_do_not_wait_for_a_probe():
    state = LocalState()
    transport = FakeTransport(MP3)
    engine = EdgeTTSEngine(state=state, transport=transport)
    engine.synthesize(SEE)

    state.add(PROBE_KEY, True, 60)  # another request is probing right now
    assert engine.synthesize(SEE).audio == MP3
    assert len(transport.calls) == 2


class DeadStore:
    """A shared state whose server is down (a dead Redis)."""

    def _down(self, *args, **kwargs):
        raise ConnectionError("Redis is down")

    get = set = add = delete = _down


def test_a_shared_state_that_is_down_does_not_stop_synthesis(caplog):
    transport = FakeTransport(MP3)

    result = EdgeTTSEngine(state=DeadStore(), transport=transport).synthesize(SEE)

    assert result.audio == MP3
    assert "shared state unavailable" in caplog.text


def test_a_transport_can_be_named_by_dotted_path():
    engine = EdgeTTSEngine(transport="speech.tts.edge.websocket_transport")
    assert engine.transport is websocket_transport
