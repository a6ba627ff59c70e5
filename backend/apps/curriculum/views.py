from django.shortcuts import render

from apps.curriculum.selectors import audio_best_for_phonemes, phonemes_for_chart
from apps.curriculum.services.audio import ALL_TIERS
from apps.curriculum.tts import accents


def phoneme_list(request):
    """The 44 phonemes by category with their best stored audio per accent (constant queries)."""
    phonemes = list(phonemes_for_chart())
    best = {
        accent: audio_best_for_phonemes(phonemes, language=accent, source_types=ALL_TIERS)
        for accent in accents()
    }
    rows = [
        (phoneme, [best[accent].get(phoneme.pk) for accent in accents()]) for phoneme in phonemes
    ]
    return render(request, "curriculum/phoneme_list.html", {"rows": rows, "accents": accents()})
