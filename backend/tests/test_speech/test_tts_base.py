"""LocalState: the in-process default of the store engines share what they remember in
(Django's cache in the application, with the same get/set/add/delete)."""

import threading

import pytest

from speech.tts import base
from speech.tts.base import LocalState, TTSEngine


class Clock:
    def __init__(self):
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(base, "time", clock)  # LocalState's time only
    return clock


def test_a_missing_key_gives_the_default():
    state = LocalState()
    assert state.get("k") is None
    assert state.get("k", "default") == "default"


def test_a_value_lives_until_its_timeout(clock):
    state = LocalState()
    state.set("k", "v", 10)
    clock.now += 9.9
    assert state.get("k") == "v"
    clock.now += 0.1
    assert state.get("k", "gone") == "gone"


def test_without_a_timeout_a_value_does_not_expire(clock):
    state = LocalState()
    state.set("k", "v")
    clock.now += 365 * 24 * 3600
    assert state.get("k") == "v"


def test_set_replaces_a_value_and_its_expiry(clock):
    state = LocalState()
    state.set("k", "old", 1)
    state.set("k", "new", 100)
    clock.now += 50
    assert state.get("k") == "new"


def test_add_stores_only_when_the_key_is_absent(clock):
    state = LocalState()
    assert state.add("k", "first", 5) is True
    assert state.add("k", "second", 5) is False
    assert state.get("k") == "first"


def test_add_succeeds_again_once_the_value_expired(clock):
    state = LocalState()
    state.add("k", "first", 5)
    clock.now += 5
    assert state.add("k", "second", 5) is True
    assert state.get("k") == "second"


def test_delete_says_whether_there_was_a_value():
    state = LocalState()
    state.set("k", "v")
    assert state.delete("k") is True
    assert state.delete("k") is False
    assert state.get("k") is None


def test_one_of_many_threads_adding_at_once_wins():
    state = LocalState()
    barrier = threading.Barrier(20)
    results = []

    def add():
        barrier.wait()
        results.append(state.add("probe", threading.get_ident(), 5))

    threads = [threading.Thread(target=add) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 19 + [True]


def test_an_engine_keeps_its_own_local_state_unless_given_one():
    first, second = TTSEngine(), TTSEngine()
    assert isinstance(first.state, LocalState)
    assert first.state is not second.state
    shared = LocalState()
    assert TTSEngine(state=shared).state is shared
