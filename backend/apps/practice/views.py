"""The learner's pages, in Vietnamese: sign-up and log-in, drills, progress, lessons, and the
vowel recorder. Pages render what the selectors give; the drills and the recorder then talk
to the API (static scripts only: no inline script, for the CSP)."""

from functools import wraps

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from rest_framework.throttling import ScopedRateThrottle

from apps.core.pages import page_query_checked
from apps.curriculum.audio.voices import accent_validate, accents
from apps.curriculum.selectors import phonemes_for_chart
from apps.practice.forms import LoginForm, OnboardingForm, SignupForm
from apps.practice.onboarding import learner_accent, placement_state
from apps.practice.selectors import (
    MASTERED_FROM,
    drill_kinds,
    learner_profile_get,
    learner_progress,
    lesson_path,
    lessons_list,
)
from apps.practice.services.accounts import learner_create, profile_update
from speech.ipa import MONOPHTHONGS

# The progress picture: phonemes in rows of this many cells.
GRID_COLUMNS = 8
CELL_WIDTH, CELL_HEIGHT, CELL_GAP = 84, 64, 6
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
KIND_LABELS_VI = {
    "pair": "Cặp từ tối thiểu",
    "final_consonant": "Phụ âm cuối",
    "cluster": "Cụm phụ âm cuối",
    "ending": "Đuôi -s và -ed",
    "th": "Âm th",
    "sh_s": "sh và s",
    "length": "Nguyên âm dài và ngắn",
    "stress": "Trọng âm",
}


def vietnamese(view):
    """Render the page in Vietnamese whatever the browser asks for (the learners' language),
    Django's own form messages included."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        with translation.override("vi"):
            response = view(request, *args, **kwargs)
            if callable(getattr(response, "render", None)) and not response.is_rendered:
                response.render()
        return response

    return wrapped


class _AuthScope:
    throttle_scope = "auth"


def _throttled(request: HttpRequest) -> bool:
    """Sign-up and log-in posts share the API's ``auth`` rate (PHATAM_AUTH_RATE)."""
    return request.method == "POST" and not ScopedRateThrottle().allow_request(request, _AuthScope)


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "practice/too_many.html", status=429)


@vietnamese
def signup(request: HttpRequest) -> HttpResponse:
    """Create an account and log in."""
    if request.user.is_authenticated:
        return redirect("practice:home")
    if _throttled(request):
        return _too_many(request)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = learner_create(
                username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            login(request, user, backend=MODEL_BACKEND)
            next_url = request.POST.get("next", "")
            if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                return redirect(next_url)
            return redirect("practice:onboarding")
    return render(request, "practice/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "practice/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if _throttled(request):
            return _too_many(request)
        return super().post(request, *args, **kwargs)


login_page = vietnamese(LoginView.as_view())
logout_page = vietnamese(auth_views.LogoutView.as_view())


@vietnamese
@login_required
def onboarding(request: HttpRequest) -> HttpResponse:
    """After sign-up: the learner's Vietnamese dialect and target accent, then placement."""
    profile = learner_profile_get(request.user)
    initial = {"dialect": profile.dialect, "accent": learner_accent(request.user)}
    data = request.POST if request.method == "POST" else None
    form = OnboardingForm(data, initial=initial, accents=accents())
    if request.method == "POST" and form.is_valid():
        profile_update(request.user, **form.cleaned_data)
        if placement_state(request.user).done:
            return redirect("practice:home")
        return redirect("practice:placement")
    return render(request, "practice/onboarding.html", {"form": form})


@vietnamese
@login_required
def placement(request: HttpRequest) -> HttpResponse:
    """The placement listening test (about 20 items), or where it placed the learner."""
    return render(
        request,
        "practice/placement.html",
        {
            "state": placement_state(request.user),
            "accents": accents(),
            "learner_accent": learner_accent(request.user),
        },
    )


@vietnamese
@login_required
def practice(request: HttpRequest) -> HttpResponse:
    """Listening drills: hear a word, pick it, see why."""
    return render(
        request,
        "practice/practice.html",
        {
            "nav": "practice",
            "accents": accents(),
            "learner_accent": learner_accent(request.user),
            "onboarded": bool(learner_profile_get(request.user).dialect),
            "kinds": [(kind, KIND_LABELS_VI.get(kind, label)) for kind, label in drill_kinds()],
        },
    )


@vietnamese
@login_required
def offline_drills(request: HttpRequest) -> HttpResponse:
    """Listening drills with no network: the pack downloaded from the chart page, answered
    with immediate feedback; the answers are queued on the phone and sent when the
    connection returns (practice/offline_drills.js). The service worker keeps this page."""
    return render(request, "practice/offline.html", {"nav": "practice"})


def _mastery_band(attempts: int, mastery: int) -> str:
    if not attempts:
        return "none"
    if mastery >= MASTERED_FROM:
        return "high"
    return "mid" if mastery >= 40 else "low"


@vietnamese
@login_required
def progress(request: HttpRequest) -> HttpResponse:
    """Mastery per phoneme as a picture (a grid of labelled cells), and what is due."""
    summary = learner_progress(request.user)
    cells = []
    for index, row in enumerate(summary.phonemes):
        column, line = index % GRID_COLUMNS, index // GRID_COLUMNS
        cells.append(
            {
                "row": row,
                "band": _mastery_band(row.attempts, row.mastery),
                "x": column * (CELL_WIDTH + CELL_GAP),
                "y": line * (CELL_HEIGHT + CELL_GAP),
            }
        )
    lines = -(-len(cells) // GRID_COLUMNS)
    due = [row for row in summary.phonemes if row.due_now]
    return render(
        request,
        "practice/progress.html",
        {
            "nav": "progress",
            "summary": summary,
            "cells": cells,
            "due": due,
            "cell_width": CELL_WIDTH,
            "cell_height": CELL_HEIGHT,
            "grid_width": GRID_COLUMNS * (CELL_WIDTH + CELL_GAP) - CELL_GAP,
            "grid_height": max(lines * (CELL_HEIGHT + CELL_GAP) - CELL_GAP, CELL_HEIGHT),
            "mastered_from": MASTERED_FROM,
        },
    )


@vietnamese
@login_required
def lessons(request: HttpRequest) -> HttpResponse:
    items = [
        {
            "lesson": lesson,
            "progress": lesson.learner_progress[0] if lesson.learner_progress else None,
        }
        for lesson in lessons_list(request.user)
    ]
    return render(request, "practice/lessons.html", {"nav": "lessons", "items": items})


@vietnamese
@login_required
@page_query_checked("accent", check=accent_validate)
def lesson(request: HttpRequest, pk: int) -> HttpResponse:
    path = lesson_path(request.user, pk)
    if path is None:
        raise Http404("No such lesson.")
    progress_rows = path.lesson.learner_progress
    accent = accent_validate(request.GET.get("accent") or learner_accent(request.user))
    return render(
        request,
        "practice/lesson.html",
        {
            "nav": "lessons",
            "path": path,
            # The transcriptions of this accent (the page switches with the accent chosen);
            # the tips of the learner's dialect first, once the profile knows it.
            "accent": accent,
            "dialect": getattr(learner_profile_get(request.user), "dialect", ""),
            "progress": progress_rows[0] if progress_rows else None,
            "accents": accents(),
            "learner_accent": learner_accent(request.user),
            "drill_url": f"{reverse('practice-api:drill-next')}?lesson={path.lesson.pk}",
        },
    )


@vietnamese
@login_required
def vowel(request: HttpRequest) -> HttpResponse:
    """Record a vowel and see it on the F1/F2 chart."""
    vowels = [p for p in phonemes_for_chart() if p.ipa_symbol in MONOPHTHONGS]
    return render(
        request,
        "practice/vowel.html",
        {
            "nav": "vowel",
            "vowels": vowels,
            "accents": accents(),
            "voice": learner_profile_get(request.user).voice,
            "recording_days": settings.PHATAM_LEARNER_RECORDING_DAYS,
        },
    )
