"""``manage.py test`` in the environment pytest gives every test (tests/conftest.py): nothing
leaves 127.0.0.1, every TTS engine is in memory, and each test starts with a fresh in-memory
engine and an empty cache.

    cd backend && ../.venv/bin/python manage.py test --testrunner tests.runner.HermeticTestRunner

(or ``TEST_RUNNER = "tests.runner.HermeticTestRunner"`` in the settings). Plain pytest
functions, the speech tests among them, only run under pytest.
"""

import unittest

from django.test.runner import DiscoverRunner

from tests.network import NetworkGuard


class HermeticTestRunner(DiscoverRunner):
    def setup_test_environment(self, **kwargs):
        from tests.hermetic import hermetic_settings

        super().setup_test_environment(**kwargs)
        self._hermetic = hermetic_settings()
        self._hermetic.enable()
        self._guard = NetworkGuard().start()

    def teardown_test_environment(self, **kwargs):
        self._guard.stop()
        self._hermetic.disable()
        super().teardown_test_environment(**kwargs)

    def get_resultclass(self):
        from tests.hermetic import tts_reset

        runner = self  # called after setup_test_environment: the guard is running

        class HermeticResult(super().get_resultclass() or unittest.TextTestResult):
            """Resets the engine and the cache around each test, and fails a test that tried
            to leave 127.0.0.1 even if the code under test swallowed the refusal."""

            def startTest(self, test):
                tts_reset()
                runner._guard.attempts.clear()
                super().startTest(test)

            def stopTest(self, test):
                attempts = list(runner._guard.attempts)
                if attempts:
                    error = RuntimeError(f"the test tried to leave 127.0.0.1: {attempts}")
                    self.addError(test, (RuntimeError, error, None))
                tts_reset()
                super().stopTest(test)

        return HermeticResult
