"""Template filters that show a phoneme as a learner of one accent reads it.

``{% load curriculum_forms %}``, then ``phoneme|forms_in:accent`` (the symbol and the example
words in that accent) and ``phoneme|forms_by_accent`` (every configured accent's forms, for
pages that switch accent without reloading), and ``phoneme|tips_in:dialect`` (the tips, the
learner's dialect's first).
"""

from django import template

from apps.curriculum.audio.voices import accents
from apps.curriculum.selectors import PhonemeForms, phoneme_forms, tips_for

register = template.Library()


@register.filter
def forms_in(phoneme, accent: str) -> PhonemeForms:
    return phoneme_forms(phoneme, accent=accent)


@register.filter
def forms_by_accent(phoneme) -> dict:
    """``{"symbol": {accent: symbol}, "examples": [{"word": w, "ipa": {accent: ipa}}]}``."""
    forms = {code: phoneme_forms(phoneme, accent=code) for code in accents()}
    words = [word for word, _ in phoneme_forms(phoneme, accent=None).examples]
    return {
        "symbol": {code: form.symbol for code, form in forms.items()},
        "examples": [
            {"word": word, "ipa": {code: form.examples[i][1] for code, form in forms.items()}}
            for i, word in enumerate(words)
        ],
    }


@register.filter
def tips_in(phoneme, dialect: str | None):
    return tips_for(phoneme, dialect=dialect)
