"""Loading the curriculum data file (categories, 44 phonemes, minimal pairs, lessons).

The file is the source of truth a teacher edits. :func:`curriculum_validate` checks all of it
and reports every problem at once; :func:`curriculum_load` writes it in one transaction,
touching only rows whose values changed, so loading the same file twice changes nothing.
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import models, transaction

from apps.curriculum.ipa import PHONEMES, IPAError, normalize_ipa, tokenize_ipa
from apps.curriculum.models import (
    MinimalPair,
    Phoneme,
    PhonemeCategory,
    PronunciationLesson,
    PronunciationLessonPair,
    PronunciationLessonPhoneme,
)

DEFAULT_CURRICULUM_FILE = Path(__file__).resolve().parent.parent / "data" / "curriculum.yaml"
MIN_EXAMPLE_WORDS = 3
EXPECTED_PER_CATEGORY = {"vowel": 12, "diphthong": 8, "consonant": 24}


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
    minimal_pairs: Tally = field(default_factory=Tally)
    lessons: Tally = field(default_factory=Tally)
    pairs_not_in_file: int = 0

    def changed(self) -> bool:
        tallies = (self.categories, self.phonemes, self.minimal_pairs, self.lessons)
        return any(t.created or t.updated for t in tallies)


def curriculum_read(path: Path) -> dict[str, Any]:
    """Parse the YAML file; raise :class:`CurriculumError` when it cannot be read."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CurriculumError([f"{path}: no such file"]) from None
    except UnicodeDecodeError as exc:
        raise CurriculumError([f"{path}: not UTF-8 text ({exc.reason})"]) from None
    except yaml.YAMLError as exc:
        raise CurriculumError([f"{path}: not valid YAML: {exc}"]) from None
    if not isinstance(data, dict):
        raise CurriculumError([f"{path}: expected a mapping with categories, phonemes, ..."])
    return data


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


def curriculum_validate(data: dict[str, Any]) -> None:
    """Check the whole file; raise :class:`CurriculumError` listing every problem found."""
    problems: list[str] = []

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
        examples = item.get("example_words")
        if not isinstance(examples, list) or len(examples) < MIN_EXAMPLE_WORDS:
            problems.append(f"{where}: needs at least {MIN_EXAMPLE_WORDS} example words")
            continue
        for example in examples:
            if not isinstance(example, dict) or set(example) != {"word", "ipa"}:
                problems.append(f"{where}: example {example!r} must have exactly 'word' and 'ipa'")
                continue
            tokens = _tokens(example["ipa"], f"{where} example '{example['word']}'", problems)
            if tokens is not None and symbol not in tokens:
                word, transcription = example["word"], example["ipa"]
                problems.append(f"{where}: example '{word}' {transcription} lacks /{symbol}/")

    for symbol, count in seen.items():
        if count > 1:
            problems.append(f"/{symbol}/ is listed {count} times")
    missing = [symbol for symbol in PHONEMES if symbol not in seen]
    if missing:
        problems.append("missing phonemes: " + " ".join(f"/{s}/" for s in missing))
    for kind, expected in EXPECTED_PER_CATEGORY.items():
        if kind in category_types and per_category[kind] != expected:
            problems.append(f"category {kind}: {per_category[kind]} phonemes, expected {expected}")

    pair_words: set[tuple[str, str]] = set()
    for index, item in enumerate(_list(data, "minimal_pairs", problems), start=1):
        where = f"minimal_pairs[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        symbols = item.get("phonemes")
        words = [item.get("word_1"), item.get("word_2")]
        if (
            not isinstance(symbols, list)
            or len(symbols) != 2
            or not all(isinstance(w, dict) and {"word", "ipa"} <= set(w) for w in words)
        ):
            problems.append(
                f"{where}: needs 'phonemes: [a, b]' and word_1/word_2 with word and ipa"
            )
            continue
        symbols = [normalize_ipa(str(s)) for s in symbols]
        where = f"{where} {words[0]['word']}/{words[1]['word']}"
        if any(s not in seen for s in symbols):
            problems.append(f"{where}: unknown phoneme in {symbols}")
            continue
        tokens = [_tokens(w["ipa"], where, problems) for w in words]
        if None in tokens:
            continue
        differences = [(a, b) for a, b in zip(tokens[0], tokens[1], strict=False) if a != b]
        if len(tokens[0]) != len(tokens[1]) or differences != [tuple(symbols)]:
            problems.append(
                f"{where}: {words[0]['ipa']} and {words[1]['ipa']} must differ only in "
                f"/{symbols[0]}/ → /{symbols[1]}/"
            )
        key = (words[0]["word"], words[1]["word"])
        if key in pair_words:
            problems.append(f"{where}: listed twice")
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
        for symbol in item.get("phonemes") or []:
            if normalize_ipa(str(symbol)) not in seen:
                problems.append(f"{where} {slug}: unknown phoneme /{symbol}/")
        for pair in item.get("minimal_pairs") or []:
            if not isinstance(pair, list) or tuple(pair) not in pair_words:
                problems.append(f"{where} {slug}: minimal pair {pair!r} is not in minimal_pairs")

    if problems:
        raise CurriculumError(problems)


def _upsert(model: type[models.Model], lookup: dict, values: dict) -> tuple[models.Model, str]:
    """Create or update one row; save only when a value differs (so twice changes nothing)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values), "created"
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return obj, "unchanged"
    for name in changed:
        setattr(obj, name, values[name])
    obj.full_clean()
    obj.save(update_fields=[*changed, *(["updated_at"] if hasattr(obj, "updated_at") else [])])
    return obj, "updated"


def _sync_positions(through: type[models.Model], lesson, field_name: str, wanted: list) -> bool:
    """Make a lesson's ordered links exactly ``wanted``; return True when anything changed."""
    current = {
        getattr(link, f"{field_name}_id"): link for link in through.objects.filter(lesson=lesson)
    }
    changed = False
    for position, target in enumerate(wanted, start=1):
        link = current.pop(target.pk, None)
        if link is None:
            through.objects.create(lesson=lesson, position=position, **{field_name: target})
            changed = True
        elif link.position != position:
            link.position = position
            link.save(update_fields=["position"])
            changed = True
    if current:
        through.objects.filter(pk__in=[link.pk for link in current.values()]).delete()
        changed = True
    return changed


@transaction.atomic
def curriculum_load(data: dict[str, Any]) -> LoadReport:
    """Validate ``data`` and write it; return what was created, updated or left unchanged."""
    curriculum_validate(data)
    report = LoadReport()

    categories = {}
    for item in data["categories"]:
        category, outcome = _upsert(
            PhonemeCategory,
            {"category_type": item["category_type"]},
            {
                "name": item["name"].strip(),
                "name_vi": item["name_vi"].strip(),
                "order": item.get("order", 0),
            },
        )
        categories[category.category_type] = category
        report.categories.add(outcome)

    phonemes = {}
    for item in data["phonemes"]:
        symbol = normalize_ipa(item["ipa"])
        phoneme, outcome = _upsert(
            Phoneme,
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
                    {"word": ex["word"].strip(), "ipa": ex["ipa"].strip()}
                    for ex in item["example_words"]
                ],
            },
        )
        phonemes[symbol] = phoneme
        report.phonemes.add(outcome)

    pairs = {}
    for item in data.get("minimal_pairs") or []:
        first, second = (phonemes[normalize_ipa(s)] for s in item["phonemes"])
        word_1, word_2 = item["word_1"], item["word_2"]
        pair, outcome = _upsert(
            MinimalPair,
            {
                "phoneme_1": first,
                "phoneme_2": second,
                "word_1": word_1["word"].strip(),
                "word_2": word_2["word"].strip(),
            },
            {
                "word_1_ipa": normalize_ipa(word_1["ipa"]),
                "word_2_ipa": normalize_ipa(word_2["ipa"]),
                "note_vi": (item.get("note_vi") or "").strip(),
            },
        )
        pairs[(pair.word_1, pair.word_2)] = pair
        report.minimal_pairs.add(outcome)
    report.pairs_not_in_file = MinimalPair.objects.exclude(
        pk__in=[pair.pk for pair in pairs.values()]
    ).count()

    for item in data.get("lessons") or []:
        lesson, outcome = _upsert(
            PronunciationLesson,
            {"slug": item["slug"].strip()},
            {
                "title": item["title"].strip(),
                "title_vi": item["title_vi"].strip(),
                "description_vi": (item.get("description_vi") or "").strip(),
                "order": item.get("order", 0),
            },
        )
        links_changed = _sync_positions(
            PronunciationLessonPhoneme,
            lesson,
            "phoneme",
            [phonemes[normalize_ipa(s)] for s in item.get("phonemes") or []],
        )
        links_changed |= _sync_positions(
            PronunciationLessonPair,
            lesson,
            "minimal_pair",
            [pairs[tuple(words)] for words in item.get("minimal_pairs") or []],
        )
        if outcome == "unchanged" and links_changed:
            outcome = "updated"
        report.lessons.add(outcome)
    return report
