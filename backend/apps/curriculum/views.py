from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from apps.curriculum.audio.voices import accents
from apps.curriculum.selectors import chart_sections, phonemes_for_chart


@ensure_csrf_cookie
def chart(request):
    """The interactive phonemic chart. The phonemes are rendered here; which audio each one
    plays comes from the API (/api/phonemes/), so the page and the API agree."""
    return render(
        request,
        "curriculum/chart.html",
        {"sections": chart_sections(list(phonemes_for_chart())), "accents": accents()},
    )
