from django.shortcuts import render

from apps.curriculum.selectors import audio_best_for_phonemes, phonemes_for_chart


def phoneme_list(request):
    """The 44 phonemes by category, each with its best stored audio (two queries)."""
    phonemes = list(phonemes_for_chart())
    best_audio = audio_best_for_phonemes(phonemes)
    rows = [(phoneme, best_audio.get(phoneme.pk)) for phoneme in phonemes]
    return render(request, "curriculum/phoneme_list.html", {"rows": rows})
