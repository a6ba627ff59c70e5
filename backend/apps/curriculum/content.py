"""Loading the curriculum data file (categories, 44 phonemes, minimal pairs, drills, lessons).

The file is the source of truth a teacher edits. :func:`curriculum_validate` checks all of it
and reports every problem at once; :func:`curriculum_load` writes it in one transaction,
touching only rows whose values changed, so loading the same file twice changes nothing.

Every word is written twice: ``ipa`` (British, as the Cambridge and Oxford learner's
dictionaries print it) and ``ipa_us`` (General American, see :mod:`speech.ipa`). The American
form is checked against CMUdict (:mod:`speech.cmu`); a word CMUdict lacks needs
``ipa_us_checked: false`` and a ``reason``. A word is spelled one way and said one way in the
whole file, because its audio is stored under its spelling.

A pair says in which accents it is a real contrast (``accents``: both, us, gb); the file is
refused when a pair claims an accent in which its two words have the same form, and when a
stress pair's spoken text differs outside the stressed word (the frame would give the answer
away: "a record" / "to record"). Every offender is listed.
"""

import copy
import functools
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import yaml
from django.db import connections, models, transaction

from apps.curriculum.api.cache import payloads_invalidate
from apps.curriculum.models import (
    Dialect,
    MinimalPair,
    Phoneme,
    PhonemeCategory,
    PhonemeTip,
    PronunciationLesson,
    PronunciationLessonPair,
    PronunciationLessonPhoneme,
)
from speech.cmu import us_check
from speech.contrasts import ContrastError, NotThisKind, pair_contrast
from speech.ipa import PHONEMES, IPAError, normalize_ipa, tokenize_ipa

# libyaml's safe loader where PyYAML was built with it (its wheels are): the same documents,
# ten times faster than the pure-Python one, which made seeding take a second.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DEFAULT_CURRICULUM_FILE = Path(__file__).resolve().parent / "data" / "curriculum.yaml"
MIN_EXAMPLE_WORDS = 3
EXPECTED_PER_CATEGORY = {"vowel": 12, "diphthong": 8, "consonant": 24}
WORD_KEYS = {"word", "ipa", "ipa_us"}
UNCHECKED_KEYS = {"ipa_us_checked", "reason"}  # a US form CMUdict cannot vouch for
LABEL_KEY = "label"  # a stress pair's choice label ("REcord (danh từ)"), in drills only
ACCENT_FORMS = {"us": "ipa_us", "gb": "ipa"}  # the transcription each accent says
ACCENT_NAMES = {"us": "American (ipa_us)", "gb": "British (ipa)"}


class CurriculumError(Exception):
    """The data file cannot be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class LoadReport:
    categories: Tally = field(default_factory=Tally)
    phonemes: Tally = field(default_factory=Tally)
    minimal_pairs: Tally = field(default_factory=Tally)  # with the drills' pairs
    lessons: Tally = field(default_factory=Tally)
    tips: Tally = field(default_factory=Tally)
    pairs_not_in_file: int = 0
    us_forms_checked: int = 0  # American forms compared with CMUdict

    def changed(self) -> bool:
        tallies = (self.categories, self.phonemes, self.minimal_pairs, self.lessons, self.tips)
        return any(t.created or t.updated for t in tallies)


def curriculum_read(path: Path) -> dict[str, Any]:
    """Parse the YAML file; raise :class:`CurriculumError` when it cannot be read."""
    try:
        stat = path.stat()
        data = copy.deepcopy(_parsed(str(path), stat.st_mtime_ns, stat.st_size))
    except FileNotFoundError:
        raise CurriculumError([f"{path}: no such file"]) from None
    except UnicodeDecodeError as exc:
        raise CurriculumError([f"{path}: not UTF-8 text ({exc.reason})"]) from None
    except yaml.YAMLError as exc:
        raise CurriculumError([f"{path}: not valid YAML: {exc}"]) from None
    if not isinstance(data, dict):
        raise CurriculumError([f"{path}: expected a mapping with categories, phonemes, ..."])
    return data


@functools.lru_cache(maxsize=4)
def _parsed(path: str, mtime_ns: int, size: int) -> Any:
    """The file's data, parsed once for as long as the file is unchanged (seeding again in one
    process, as the tests do hundreds of times, reads it once). Callers get a deep copy of
    it to change as they like (4 ms, where parsing takes 40)."""
    text = Path(path).read_text(encoding="utf-8")
    return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader, C or Python)


def _text(item: dict, key: str, where: str, problems: list[str], required: bool = True) -> str:
    value = item.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.append(f"{where}: '{key}' must be text")
        return ""
    if required and not value.strip():
        problems.append(f"{where}: '{key}' is missing")
    return value.strip()


def _tokens(transcription: Any, where: str, problems: list[str]) -> list[str] | None:
    if not isinstance(transcription, str) or not transcription.strip():
        problems.append(f"{where}: IPA is missing")
        return None
    try:
        return tokenize_ipa(transcription)
    except IPAError as exc:
        problems.append(f"{where}: {exc}")
        return None


def _list(data: dict, key: str, problems: list[str]) -> list:
    value = data.get(key) or []
    if not isinstance(value, list):
        problems.append(f"'{key}' must be a list")
        return []
    return value


@dataclass
class _Word:
    """One written word of the file: both forms, and where it was first seen."""

    word: str
    ipa: str
    ipa_us: str
    where: str
    tokens: list[str]
    tokens_us: list[str]
    check_us: bool = True
    check_stress: bool = False


@dataclass
class _Words:
    """Every word of the file, so that each spelling has one pronunciation and each American
    form is checked against CMUdict once."""

    seen: dict[str, _Word] = field(default_factory=dict)

    def read(self, entry: Any, where: str, problems: list[str]) -> _Word | None:
        """Check one ``{word, ipa, ipa_us}`` entry; ``None`` when it is unusable."""
        allowed = WORD_KEYS | UNCHECKED_KEYS | {LABEL_KEY}
        if not isinstance(entry, dict) or not WORD_KEYS <= set(entry) <= allowed:
            problems.append(
                f"{where}: {entry!r} must have 'word', 'ipa' and 'ipa_us' "
                "(and, for a word CMUdict lacks, 'ipa_us_checked: false' with a 'reason')"
            )
            return None
        word = entry["word"].strip() if isinstance(entry["word"], str) else ""
        if not word:
            problems.append(f"{where}: a word is missing")
            return None
        where = f"{where} '{word}'"
        tokens = _tokens(entry["ipa"], where, problems)
        tokens_us = _tokens(entry["ipa_us"], f"{where} (US)", problems)
        if tokens is None or tokens_us is None:
            return None
        for key in ("ipa", "ipa_us"):
            if len(normalize_ipa(entry[key]).split()) != len(word.split()):
                problems.append(
                    f"{where}: {key} {entry[key]} needs one part per word of the phrase"
                )
        check_us = entry.get("ipa_us_checked", True)
        if check_us is not True and (
            check_us is not False or not str(entry.get("reason") or "").strip()
        ):
            problems.append(f"{where}: 'ipa_us_checked: false' needs a 'reason'")
        found = _Word(
            word, entry["ipa"].strip(), entry["ipa_us"].strip(), where, tokens, tokens_us,
            check_us=check_us is not False,
        )  # fmt: skip
        first = self.seen.setdefault(word.casefold(), found)
        if first is not found and (
            normalize_ipa(first.ipa) != normalize_ipa(found.ipa)
            or normalize_ipa(first.ipa_us) != normalize_ipa(found.ipa_us)
        ):
            problems.append(
                f"{where}: {found.ipa} (US {found.ipa_us}) differs from {first.where}: "
                f"{first.ipa} (US {first.ipa_us}); one spelling is one pronunciation (audio is "
                "stored by spelling, and a voice reading the word cannot tell homographs apart): "
                "choose another word"
            )
            return found  # checked further as written
        return first

    def check_us(self, problems: list[str]) -> int:
        """Compare every American form with CMUdict; return how many were compared."""
        checked = 0
        for entry in self.seen.values():
            if not entry.check_us:
                continue
            verdict = us_check(entry.word, entry.ipa_us)
            checked += 1
            forms = ", ".join(f"/{form}/" for form in verdict.dictionary_forms)
            if not verdict.known:
                problems.append(
                    f"{entry.where}: not in CMUdict, so its US form {entry.ipa_us} cannot be "
                    "checked; check it in a dictionary and set 'ipa_us_checked: false' with a "
                    "'reason'"
                )
            elif not verdict.matches:
                problems.append(f"{entry.where}: US form {entry.ipa_us} is not CMUdict's ({forms})")
            elif entry.check_stress and not verdict.stress_matches:
                problems.append(
                    f"{entry.where}: US form {entry.ipa_us} is stressed on another syllable "
                    f"than in CMUdict ({forms})"
                )
        return checked


@dataclass(frozen=True)
class _Pair:
    """A minimal pair to store: from ``minimal_pairs``, or one of the pairs of a drill."""

    kind: str
    phonemes: tuple[str, str]
    word_1: _Word
    word_2: _Word
    note_vi: str
    accents: str = MinimalPair.Accents.BOTH
    labels: tuple[str, str] = ("", "")


@dataclass
class Validated:
    """What a valid file holds beyond its plain rows."""

    pairs: list[_Pair]
    us_forms_checked: int


def _accents(item: dict, where: str, problems: list[str]) -> str:
    value = item.get("accents", MinimalPair.Accents.BOTH)
    if value not in MinimalPair.Accents.values:
        problems.append(f"{where}: accents {value!r} is not one of both, us, gb")
        return MinimalPair.Accents.BOTH
    return value


def _claimed(accents: str) -> list[str]:
    return ["us", "gb"] if accents == MinimalPair.Accents.BOTH else [accents]


def _merged_in(first: _Word, second: _Word, accents: str) -> list[str]:
    """The claimed accents in which the two words have the same form: not a contrast there."""
    return [
        accent
        for accent in _claimed(accents)
        if normalize_ipa(getattr(first, ACCENT_FORMS[accent]))
        == normalize_ipa(getattr(second, ACCENT_FORMS[accent]))
    ]


def _merged_problem(where: str, first: _Word, second: _Word, merged: list[str]) -> str:
    forms = "; ".join(
        f"{ACCENT_NAMES[a]} /{normalize_ipa(getattr(first, ACCENT_FORMS[a]))}/ for both"
        for a in merged
    )
    other = {"us": "gb", "gb": "us"}
    hint = (
        f"set 'accents: {other[merged[0]]}'"
        if len(merged) == 1
        else "they are not a pair in either accent"
    )
    return (
        f"{where}: '{first.word}' and '{second.word}' sound the same in the accent(s) it claims "
        f"({forms}); a learner cannot hear a difference there: {hint}"
    )


def _frame_problem(where: str, first: _Word, second: _Word) -> str:
    """Why a stress pair's spoken text gives the answer away outside the stressed word, or "".

    The words may be phrases; then they must be the same words, spelled and said the same,
    but one: the word whose stress differs ("say desert" / "say dessert"). "a record" /
    "to record" differs in its frame, which a learner hears before the stress.
    """
    spelled = first.word.casefold().split(), second.word.casefold().split()
    said = normalize_ipa(first.ipa).split(), normalize_ipa(second.ipa).split()
    said_us = normalize_ipa(first.ipa_us).split(), normalize_ipa(second.ipa_us).split()
    if len({len(spelled[0]), len(spelled[1]), *map(len, said), *map(len, said_us)}) == 1:
        differing = {
            i
            for words in (spelled, said, said_us)
            for i, (x, y) in enumerate(zip(*words, strict=True))
            if x != y
        }
        if len(differing) == 1:
            return ""
    return (
        f"{where}: the stress pair '{first.word}' / '{second.word}' is spoken differently "
        "outside the stressed word, so the learner hears the answer in the frame, not in the "
        "stress; play the word alone or put both in the same frame"
    )


def _contrast(kind: str, first: _Word, second: _Word) -> tuple[str, str]:
    """The two phonemes of a pair by the rule of ``kind``; a drill must hold in both accents (a
    plain pair may differ more in the US: shot /ʃɑːt/, short /ʃɔːrt/).

    Raises ``ContrastError`` (``NotThisKind`` when the British forms are a pair of another kind).
    """
    sounds = pair_contrast(kind, first.ipa, second.ipa)
    if kind != MinimalPair.Kind.PAIR:
        try:
            pair_contrast(kind, first.ipa_us, second.ipa_us)
        except ContrastError as exc:
            raise ContrastError(f"in the US forms, {exc}") from None
    return sounds


def _sequence_in(part: list[str], tokens: list[str]) -> bool:
    return any(tokens[i : i + len(part)] == part for i in range(len(tokens) - len(part) + 1))


def _slashed(symbols) -> str:
    return " ".join(f"/{s}/" for s in sorted(symbols))


def curriculum_validate(data: dict[str, Any]) -> Validated:
    """Check the whole file; raise :class:`CurriculumError` listing every problem found.

    Returns the minimal pairs to store (the drills' too) and how many American forms were
    compared with CMUdict.
    """
    problems: list[str] = []
    words = _Words()

    category_types: set[str] = set()
    for index, item in enumerate(_list(data, "categories", problems), start=1):
        where = f"categories[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        kind = item.get("category_type")
        if kind not in PhonemeCategory.CategoryType.values:
            problems.append(
                f"{where}: category_type {kind!r} is not one of vowel/diphthong/consonant"
            )
        elif kind in category_types:
            problems.append(f"{where}: category_type {kind!r} appears twice")
        category_types.add(kind)
        _text(item, "name", where, problems)
        _text(item, "name_vi", where, problems)

    seen: Counter[str] = Counter()
    per_category: Counter[str] = Counter()
    for index, item in enumerate(_list(data, "phonemes", problems), start=1):
        if not isinstance(item, dict):
            problems.append(f"phonemes[{index}]: must be a mapping")
            continue
        symbol = normalize_ipa(str(item.get("ipa", "")))
        where = f"phonemes[{index}] /{symbol}/"
        if symbol not in PHONEMES:
            problems.append(f"{where}: not one of the 44 phonemes of English")
        seen[symbol] += 1
        if item.get("category") not in category_types:
            problems.append(f"{where}: category {item.get('category')!r} is not a listed category")
        per_category[item.get("category")] += 1
        if not isinstance(item.get("order"), int):
            problems.append(f"{where}: 'order' must be a whole number")
        _text(item, "vietnamese_approx", where, problems)
        _text(item, "description_vi", where, problems)
        _text(item, "tip_vi", where, problems)
        _check_tips(item.get("tips"), where, problems)
        examples = item.get("example_words")
        if not isinstance(examples, list) or len(examples) < MIN_EXAMPLE_WORDS:
            problems.append(f"{where}: needs at least {MIN_EXAMPLE_WORDS} example words")
            continue
        us_symbol = normalize_ipa(str(item.get("us_ipa") or "")) or symbol
        us_tokens = _tokens(us_symbol, f"{where} us_ipa", problems) or []
        for example in examples:
            entry = words.read(example, f"{where} example", problems)
            if entry is None:
                continue
            if symbol not in entry.tokens:
                problems.append(f"{where}: example '{entry.word}' {entry.ipa} lacks /{symbol}/")
            if us_tokens and not _sequence_in(us_tokens, entry.tokens_us):
                problems.append(
                    f"{where}: example '{entry.word}' US {entry.ipa_us} lacks /{us_symbol}/"
                )

    for symbol, count in seen.items():
        if count > 1:
            problems.append(f"/{symbol}/ is listed {count} times")
    missing = [symbol for symbol in PHONEMES if symbol not in seen]
    if missing:
        problems.append("missing phonemes: " + " ".join(f"/{s}/" for s in missing))
    for kind, expected in EXPECTED_PER_CATEGORY.items():
        if kind in category_types and per_category[kind] != expected:
            problems.append(f"category {kind}: {per_category[kind]} phonemes, expected {expected}")

    pairs: list[_Pair] = []
    for index, item in enumerate(_list(data, "minimal_pairs", problems), start=1):
        where = f"minimal_pairs[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        symbols = item.get("phonemes")
        if not isinstance(symbols, list) or len(symbols) != 2:
            problems.append(f"{where}: needs 'phonemes: [a, b]', word_1 and word_2")
            continue
        pair = [words.read(item.get(f"word_{n}"), f"{where} word_{n}", problems) for n in (1, 2)]
        kind = item.get("kind", MinimalPair.Kind.PAIR)
        if kind not in MinimalPair.Kind.values:
            problems.append(f"{where}: kind {kind!r} is not one of {', '.join(MinimalPair.Kind)}")
            continue
        if None in pair:
            continue
        symbols = (normalize_ipa(str(symbols[0])), normalize_ipa(str(symbols[1])))
        where = f"{where} {pair[0].word}/{pair[1].word}"
        if any(s not in seen for s in symbols):
            problems.append(f"{where}: unknown phoneme in {list(symbols)}")
            continue
        accents = _accents(item, where, problems)
        merged = _merged_in(pair[0], pair[1], accents)
        if merged:
            problems.append(_merged_problem(where, pair[0], pair[1], merged))
            continue
        wrong = (
            f"{where}: as a {kind}, {pair[0].ipa} and {pair[1].ipa} must differ only in "
            f"/{symbols[0]}/ → /{symbols[1]}/"
        )
        try:
            if _contrast(kind, pair[0], pair[1]) != symbols:
                problems.append(wrong)
        except (ContrastError, IPAError) as exc:
            problems.append(f"{wrong} ({exc})")
        if kind == MinimalPair.Kind.STRESS:
            problems.append(
                f"{where}: a stress pair goes in 'drills' (its words need a 'label' each)"
            )
        pairs.append(
            _Pair(
                kind, symbols, pair[0], pair[1], _text(item, "note_vi", where, []),
                accents=accents,
            )
        )  # fmt: skip

    for index, item in enumerate(_list(data, "drills", problems), start=1):
        pairs += _drill_pairs(item, f"drills[{index}]", words, set(seen), problems)

    pair_words: set[tuple[str, str]] = set()
    for pair in pairs:
        key = (pair.word_1.word, pair.word_2.word)
        if key in pair_words or key[::-1] in pair_words:
            problems.append(f"{'/'.join(key)}: listed twice (as a minimal pair or in a drill)")
        pair_words.add(key)

    slugs: set[str] = set()
    for index, item in enumerate(_list(data, "lessons", problems), start=1):
        where = f"lessons[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        slug = _text(item, "slug", where, problems)
        if slug in slugs:
            problems.append(f"{where}: slug {slug!r} appears twice")
        slugs.add(slug)
        _text(item, "title", where, problems)
        _text(item, "title_vi", where, problems)
        _text(item, "trains_vi", where, problems)
        if item.get("stage", "perception") not in PronunciationLesson.Stage.values:
            problems.append(f"{where} {slug}: stage must be perception or production")
        for symbol in item.get("phonemes") or []:
            if normalize_ipa(str(symbol)) not in seen:
                problems.append(f"{where} {slug}: unknown phoneme /{symbol}/")
        for pair in item.get("minimal_pairs") or []:
            if not isinstance(pair, list) or tuple(pair) not in pair_words:
                problems.append(
                    f"{where} {slug}: minimal pair {pair!r} is not in minimal_pairs or drills"
                )

    us_forms_checked = words.check_us(problems)
    if problems:
        raise CurriculumError(problems)
    return Validated(pairs=pairs, us_forms_checked=us_forms_checked)


def _check_tips(tips: Any, where: str, problems: list[str]) -> None:
    """``tips``: a list of ``{text_vi, dialect}``; dialect bac, trung or nam, or none (all)."""
    if tips is None:
        return
    if not isinstance(tips, list):
        problems.append(f"{where}: 'tips' must be a list of {{text_vi, dialect}}")
        return
    for number, tip in enumerate(tips, start=1):
        if not isinstance(tip, dict) or not set(tip) <= {"text_vi", "dialect"}:
            problems.append(f"{where} tip {number}: must have 'text_vi' and maybe 'dialect'")
            continue
        _text(tip, "text_vi", f"{where} tip {number}", problems)
        if (tip.get("dialect") or "") not in ("", *Dialect.values):
            problems.append(
                f"{where} tip {number}: dialect {tip.get('dialect')!r} is not bac, trung or nam"
            )


def _drill_pairs(
    item: Any, where: str, words: _Words, phonemes: set[str], problems: list[str]
) -> list[_Pair]:
    """The pairs of one drill: every two of its words that contrast by the rule of its kind
    (in a th drill, "tree" and "free" do not: that pair is left out). Every word must be in a
    pair, and ``phonemes`` must list exactly the sounds the pairs contrast."""
    if not isinstance(item, dict):
        problems.append(f"{where}: must be a mapping")
        return []
    kind = item.get("kind")
    note = _text(item, "note_vi", where, problems)
    entries = item.get("words")
    if kind not in MinimalPair.Kind.values or kind == MinimalPair.Kind.PAIR:
        drills = [k for k in MinimalPair.Kind.values if k != MinimalPair.Kind.PAIR]
        problems.append(f"{where}: kind {kind!r} is not one of {', '.join(drills)}")
        return []
    if not isinstance(entries, list) or len(entries) < 2:
        problems.append(f"{where}: 'words' must list at least two words")
        return []
    drill = [words.read(entry, f"{where} word", problems) for entry in entries]
    if None in drill:
        return []
    accents = _accents(item, where, problems)
    labels = {
        id(found): str(entry.get(LABEL_KEY) or "").strip()
        for found, entry in zip(drill, entries, strict=True)
    }
    if kind != MinimalPair.Kind.STRESS and any(labels.values()):
        problems.append(f"{where}: only the words of a stress drill have a 'label'")
    where = f"{where} {'/'.join(entry.word for entry in drill)}"
    if len({entry.word.casefold() for entry in drill}) != len(drill):
        problems.append(f"{where}: a word is listed twice")
        return []
    pairs: list[_Pair] = []
    paired: set[int] = set()
    for first, second in combinations(drill, 2):
        if kind == MinimalPair.Kind.STRESS:
            first.check_stress = second.check_stress = True
            frame = _frame_problem(where, first, second)
            if frame:
                problems.append(frame)
                paired.update((id(first), id(second)))
                continue
            if not labels[id(first)] or not labels[id(second)]:
                problems.append(
                    f"{where}: {first.word}, {second.word}: each word of a stress drill needs a "
                    "'label' that shows its stress, e.g. 'REcord (danh từ)'"
                )
        merged = _merged_in(first, second, accents)
        if merged:
            problems.append(_merged_problem(where, first, second, merged))
            paired.update((id(first), id(second)))
            continue
        try:
            sounds = _contrast(kind, first, second)
        except NotThisKind:
            continue
        except (ContrastError, IPAError) as exc:
            problems.append(f"{where}: {first.word}, {second.word}: {exc}")
            paired.update((id(first), id(second)))  # reported: not "in no pair" as well
            continue
        pair_labels = (labels[id(first)], labels[id(second)])
        pairs.append(_Pair(kind, sounds, first, second, note, accents, pair_labels))
    paired.update(id(entry) for pair in pairs for entry in (pair.word_1, pair.word_2))
    for entry in drill:
        if id(entry) not in paired:
            problems.append(f"{where}: '{entry.word}' contrasts with no other word as a {kind}")
    claimed = item.get("phonemes")
    claimed = {normalize_ipa(str(s)) for s in claimed} if isinstance(claimed, list) else set()
    practised = {sound for pair in pairs for sound in pair.phonemes}
    if claimed - phonemes:
        problems.append(f"{where}: unknown phoneme(s) {_slashed(claimed - phonemes)}")
    elif claimed != practised and pairs:
        problems.append(
            f"{where}: 'phonemes' must list the sounds its pairs contrast: {_slashed(practised)}"
        )
    return pairs


class _Rows:
    """One model's rows, read in one query and found by their natural key (``key``: field
    names; a foreign key is matched by its id). Seeding looks each row of the file up here
    instead of asking the database once a row, and inserts the new rows together
    (:meth:`insert_new`)."""

    def __init__(self, model: type[models.Model], *key: str):
        self.model = model
        self.key = key
        attnames = [model._meta.get_field(name).attname for name in key]
        self.rows = {tuple(getattr(obj, a) for a in attnames): obj for obj in model.objects.all()}
        self.new: list[models.Model] = []
        self.inserted = 0

    def _key(self, lookup: dict) -> tuple:
        values = (lookup[name] for name in self.key)
        return tuple(v.pk if isinstance(v, models.Model) else v for v in values)

    def upsert(self, lookup: dict, values: dict) -> tuple[models.Model, str]:
        """Update one row, saving only when a value differs (so twice changes nothing); or
        make it, unsaved until :meth:`insert_new`."""
        obj = self.rows.get(self._key(lookup))
        if obj is None:
            obj = self.model(**lookup, **values)
            self.rows[self._key(lookup)] = obj
            self.new.append(obj)
            return obj, "created"
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if not changed:
            return obj, "unchanged"
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        update_fields = [*changed, *(["updated_at"] if hasattr(obj, "updated_at") else [])]
        obj.save(update_fields=update_fields)
        return obj, "updated"

    def insert_new(self) -> None:
        """Insert the rows :meth:`upsert` made, in one query; they get their ids. Like
        ``create()`` for a row of the file (no ``full_clean``: the file was validated), but
        without ``post_save``: :func:`curriculum_load` tells the chart's cache once."""
        if not self.new:
            return
        if connections[self.model.objects.db].features.can_return_rows_from_bulk_insert:
            self.model.objects.bulk_create(self.new)
        else:  # the rows need their ids (MySQL, SQLite before 3.35): one INSERT each
            for obj in self.new:
                obj.save(force_insert=True)
        self.inserted += len(self.new)
        self.new = []


def _links_by_lesson(through: type[models.Model]) -> dict[int, list[models.Model]]:
    links: dict[int, list[models.Model]] = {}
    for link in through.objects.all():
        links.setdefault(link.lesson_id, []).append(link)
    return links


def _sync_positions(
    through: type[models.Model], lesson, field_name: str, wanted: list, existing: list
) -> bool:
    """Make a lesson's ordered links exactly ``wanted`` (``existing``: its links now);
    return True when anything changed."""
    current = {getattr(link, f"{field_name}_id"): link for link in existing}
    new = []
    changed = False
    for position, target in enumerate(wanted, start=1):
        link = current.pop(target.pk, None)
        if link is None:
            new.append(through(lesson=lesson, position=position, **{field_name: target}))
        elif link.position != position:
            link.position = position
            link.save(update_fields=["position"])
            changed = True
    if current:
        through.objects.filter(pk__in=[link.pk for link in current.values()]).delete()
        changed = True
    if new:
        through.objects.bulk_create(new)  # links send no signal that anything listens to
        changed = True
    return changed


def _sync_tips(phoneme: Phoneme, tips: list[dict], rows: _Rows, tally: Tally) -> None:
    """Make the phoneme's tips exactly the file's, by position (the file's order)."""
    for position, tip in enumerate(tips, start=1):
        _, outcome = rows.upsert(
            {"phoneme": phoneme, "position": position},
            {"dialect": tip.get("dialect") or "", "text_vi": tip["text_vi"].strip()},
        )
        tally.add(outcome)
    if any(pk == phoneme.pk and position > len(tips) for pk, position in rows.rows):
        PhonemeTip.objects.filter(phoneme=phoneme, position__gt=len(tips)).delete()


@transaction.atomic
def curriculum_load(data: dict[str, Any]) -> LoadReport:
    """Validate ``data`` and write it; return what was created, updated or left unchanged."""
    validated = curriculum_validate(data)
    report = LoadReport(us_forms_checked=validated.us_forms_checked)

    categories = {}
    category_rows = _Rows(PhonemeCategory, "category_type")
    for item in data["categories"]:
        category, outcome = category_rows.upsert(
            {"category_type": item["category_type"]},
            {
                "name": item["name"].strip(),
                "name_vi": item["name_vi"].strip(),
                "order": item.get("order", 0),
            },
        )
        categories[category.category_type] = category
        report.categories.add(outcome)
    category_rows.insert_new()

    phonemes = {}
    phoneme_rows = _Rows(Phoneme, "ipa_symbol")
    tip_rows = _Rows(PhonemeTip, "phoneme", "position")
    for item in data["phonemes"]:
        symbol = normalize_ipa(item["ipa"])
        phoneme, outcome = phoneme_rows.upsert(
            {"ipa_symbol": symbol},
            {
                "category": categories[item["category"]],
                "order": item["order"],
                "us_ipa_symbol": normalize_ipa(str(item.get("us_ipa") or "")),
                "is_voiced": bool(item.get("voiced", True)),
                "vietnamese_approx": item["vietnamese_approx"].strip(),
                "description_vi": item["description_vi"].strip(),
                "tip_vi": item["tip_vi"].strip(),
                "accent_notes": (item.get("accent_notes") or "").strip(),
                "example_words": [
                    {key: ex[key].strip() for key in ("word", "ipa", "ipa_us")}
                    for ex in item["example_words"]
                ],
            },
        )
        phonemes[symbol] = phoneme
        report.phonemes.add(outcome)
    phoneme_rows.insert_new()
    for item in data["phonemes"]:
        phoneme = phonemes[normalize_ipa(item["ipa"])]
        _sync_tips(phoneme, item.get("tips") or [], tip_rows, report.tips)
    tip_rows.insert_new()

    pairs = {}
    pair_rows = _Rows(MinimalPair, "phoneme_1", "phoneme_2", "word_1", "word_2")
    for spec in validated.pairs:
        pair, outcome = pair_rows.upsert(
            {
                "phoneme_1": phonemes[spec.phonemes[0]],
                "phoneme_2": phonemes[spec.phonemes[1]],
                "word_1": spec.word_1.word,
                "word_2": spec.word_2.word,
            },
            {
                "kind": spec.kind,
                "word_1_ipa": normalize_ipa(spec.word_1.ipa),
                "word_2_ipa": normalize_ipa(spec.word_2.ipa),
                "word_1_ipa_us": normalize_ipa(spec.word_1.ipa_us),
                "word_2_ipa_us": normalize_ipa(spec.word_2.ipa_us),
                "note_vi": spec.note_vi,
                "accents": spec.accents,
                "word_1_label": spec.labels[0],
                "word_2_label": spec.labels[1],
            },
        )
        pairs[(pair.word_1, pair.word_2)] = pair
        report.minimal_pairs.add(outcome)
    pair_rows.insert_new()
    report.pairs_not_in_file = MinimalPair.objects.exclude(
        pk__in=[pair.pk for pair in pairs.values()]
    ).count()

    lesson_rows = _Rows(PronunciationLesson, "slug")
    phoneme_links = _links_by_lesson(PronunciationLessonPhoneme)
    pair_links = _links_by_lesson(PronunciationLessonPair)
    lessons = []
    for item in data.get("lessons") or []:
        lesson, outcome = lesson_rows.upsert(
            {"slug": item["slug"].strip()},
            {
                "title": item["title"].strip(),
                "title_vi": item["title_vi"].strip(),
                "description_vi": (item.get("description_vi") or "").strip(),
                "order": item.get("order", 0),
                "stage": item.get("stage", PronunciationLesson.Stage.PERCEPTION),
                "trains_vi": (item.get("trains_vi") or "").strip(),
            },
        )
        lessons.append((item, lesson, outcome))
    lesson_rows.insert_new()
    for item, lesson, outcome in lessons:
        links_changed = _sync_positions(
            PronunciationLessonPhoneme,
            lesson,
            "phoneme",
            [phonemes[normalize_ipa(s)] for s in item.get("phonemes") or []],
            phoneme_links.get(lesson.pk, []),
        )
        links_changed |= _sync_positions(
            PronunciationLessonPair,
            lesson,
            "minimal_pair",
            [pairs[tuple(words)] for words in item.get("minimal_pairs") or []],
            pair_links.get(lesson.pk, []),
        )
        if outcome == "unchanged" and links_changed:
            outcome = "updated"
        report.lessons.add(outcome)
    if category_rows.inserted or phoneme_rows.inserted or pair_rows.inserted:
        payloads_invalidate()  # what post_save would have done for the inserted rows
    return report
