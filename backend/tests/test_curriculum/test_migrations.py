"""Migrations: generated from the models, and 0002's move of synthesis settings and acoustic
verdicts out of ``metadata`` into typed columns, forwards and backwards."""

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase, TransactionTestCase

BEFORE = ("curriculum", "0001_initial")
AFTER = ("curriculum", "0002_audio_typed_columns")

PASSED_CHECK = {
    "passed": True, "f1": 300, "f2": 2250, "nearest": "i", "heard_as": "iː",
    "distance_bark": 0.21, "rule": "",
}  # fmt: skip
FAILED_CHECK = {
    "passed": False, "f1": 640, "f2": 1600, "nearest": "ɛ", "heard_as": "e",
    "distance_bark": 0.4, "rule": "",
}  # fmt: skip
UNJUDGED_CHECK = {"passed": None, "heard_as": "", "error": "no voiced sound to measure"}
SPEAKER = {"speaker_name": "Lan", "speaker_gender": "female", "licence": "owned"}

# Rows as PhatAm stored them before 0002, by name.
OLD_ROWS = {
    "espeak passed": {
        "symbol": "iː", "source_type": "tts", "voice_id": "en-us",
        "metadata": {
            "engine": "espeak-ng", "tts_rate": "-30%", "voice": "espeak:en-us",
            "espeak_input": "[['i:]]", "espeak_voice": "en-us", "acoustic_check": PASSED_CHECK,
        },
    },
    "same voice, other rate": {
        "symbol": "iː", "source_type": "tts", "voice_id": "en-us",
        "metadata": {"engine": "espeak-ng", "tts_rate": "+0%", "voice": "espeak:en-us"},
    },
    "espeak failed": {
        "symbol": "æ", "source_type": "generated", "voice_id": "en-us",
        "metadata": {
            "engine": "espeak-ng", "tts_rate": "-30%", "voice": "espeak:en-us",
            "acoustic_check": FAILED_CHECK,
        },
    },
    "edge word": {
        "symbol": "iː", "source_type": "tts", "voice_id": "en-US-AriaNeural", "word": "see",
        "metadata": {"engine": "edge-tts", "tts_rate": "-30%", "voice": "edge:en-US-AriaNeural"},
    },
    "native unjudged": {
        "symbol": "æ", "source_type": "native", "voice_id": "native:Lan",
        "metadata": {**SPEAKER, "acoustic_check": UNJUDGED_CHECK},
    },
    "native consonant": {
        "symbol": "s", "source_type": "native", "voice_id": "native:Lan", "metadata": SPEAKER,
    },
}  # fmt: skip


def measurement(check: dict) -> dict:
    return {key: value for key, value in check.items() if key not in ("passed", "heard_as")}


class MigrationsAgreeWithModelsTests(TestCase):
    def test_models_and_migrations_agree(self):
        call_command("makemigrations", "--check", "--dry-run", verbosity=0)


class TypedAudioColumnsMigrationTests(TransactionTestCase):
    """Rows are written with the models of 0001, then read with those of 0002 (and back)."""

    def setUp(self):
        executor = MigrationExecutor(connection)
        # Whatever else is migrated now (other apps too) is migrated again afterwards.
        self.addCleanup(self.migrate, executor.loader.graph.leaf_nodes())
        self.models = self.migrate([BEFORE])
        self.pks = self.make_old_rows()

    def migrate(self, targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    def make_old_rows(self) -> dict[str, int]:
        apps = self.models
        category = apps.get_model("curriculum", "PhonemeCategory").objects.create(
            name="Sounds", name_vi="Âm", category_type="vowel"
        )
        Phoneme = apps.get_model("curriculum", "Phoneme")
        phonemes = {
            symbol: Phoneme.objects.create(
                category=category, ipa_symbol=symbol, vietnamese_approx="-", order=order
            )
            for order, symbol in enumerate(["iː", "æ", "s"])
        }
        AudioSource = apps.get_model("curriculum", "AudioSource")
        pks = {}
        for name, row in OLD_ROWS.items():
            fields = {key: value for key, value in row.items() if key != "symbol"}
            source = AudioSource.objects.create(
                phoneme=phonemes[row["symbol"]], audio_file=f"phonemes/audio/{len(pks)}.mp3",
                language="en-US", **fields,
            )  # fmt: skip
            pks[name] = source.pk
        return pks

    def rows(self, apps) -> dict[str, object]:
        AudioSource = apps.get_model("curriculum", "AudioSource")
        by_pk = AudioSource.objects.in_bulk(self.pks.values())
        return {name: by_pk[pk] for name, pk in self.pks.items()}

    def assert_moved_into_columns_and_out_of_metadata(self, rows) -> None:
        columns = {
            name: (
                row.engine, row.tts_rate, row.tts_pitch, row.acoustic_verdict,
                row.acoustic_heard_as,
            )
            for name, row in rows.items()
        }  # fmt: skip
        self.assertEqual(
            columns,
            {
                "espeak passed": ("espeak-ng", "-30%", "", "passed", ""),
                "same voice, other rate": ("espeak-ng", "+0%", "", "not_checked", ""),
                "espeak failed": ("espeak-ng", "-30%", "", "failed", "e"),
                "edge word": ("edge-tts", "-30%", "", "not_checked", ""),
                "native unjudged": ("", "", "", "not_checked", ""),
                "native consonant": ("", "", "", "not_checked", ""),
            },
        )
        # metadata keeps what is only shown, and the measurement under "acoustic"
        self.assertEqual(
            {name: row.metadata for name, row in rows.items()},
            {
                "espeak passed": {
                    "espeak_input": "[['i:]]",
                    "espeak_voice": "en-us",
                    "acoustic": measurement(PASSED_CHECK),
                },
                "same voice, other rate": {},
                "espeak failed": {"acoustic": measurement(FAILED_CHECK)},
                "edge word": {},
                "native unjudged": {**SPEAKER, "acoustic": measurement(UNJUDGED_CHECK)},
                "native consonant": SPEAKER,
            },
        )

    def test_settings_and_verdicts_move_into_columns_and_back_into_metadata(self):
        """0002 forwards, then backwards, in one test: each way migrates every app that
        depends on the curriculum, seconds of work."""
        self.assert_moved_into_columns_and_out_of_metadata(self.rows(self.migrate([AFTER])))
        rows = self.rows(self.migrate([BEFORE]))

        for name in ("same voice, other rate", "espeak failed", "edge word", "native unjudged",
                     "native consonant"):  # fmt: skip
            with self.subTest(row=name):
                self.assertEqual(rows[name].metadata, OLD_ROWS[name]["metadata"])
        # A passed check's heard_as is not kept by 0002 (it is empty whenever the check passed).
        restored = rows["espeak passed"].metadata
        self.assertEqual(restored["acoustic_check"], {**PASSED_CHECK, "heard_as": ""})
        self.assertEqual(
            {k: v for k, v in restored.items() if k != "acoustic_check"},
            {
                k: v
                for k, v in OLD_ROWS["espeak passed"]["metadata"].items()
                if k != "acoustic_check"
            },
        )

        # 0001's generated column tells apart again what only the settings tell apart
        self.assertEqual(
            rows["espeak passed"].synthesis_settings, "engine=espeak-ng;tts_rate=-30%;tts_pitch=;"
        )
        self.assertEqual(
            rows["same voice, other rate"].synthesis_settings,
            "engine=espeak-ng;tts_rate=+0%;tts_pitch=;",
        )

        # 0001's pre-generation and cleanup find a file's voice by ``metadata["voice"]``
        # ("espeak:en-us"); without it, after a rollback every synthesized file would be "no
        # longer configured" and regenerated.
        self.assertEqual(rows["espeak failed"].metadata.get("voice"), "espeak:en-us")
        self.assertEqual(rows["edge word"].metadata.get("voice"), "edge:en-US-AriaNeural")
