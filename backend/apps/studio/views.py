"""The studio's pages, for staff only: anonymous visitors are sent to the admin's login,
logged-in learners get 403."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from apps.core.pages import page_query_checked
from apps.curriculum.audio.voices import accent_validate, accents
from apps.studio.forms import StudioProfileForm
from apps.studio.selectors import studio_chart, studio_profile_get
from apps.studio.services import studio_profile_save

STAFF_ONLY = (
    '<!doctype html><html lang="vi"><meta charset="utf-8"><title>PhatAm – Studio</title>'
    "<h1>Studio dành cho giáo viên</h1><p>Trang này chỉ dành cho giáo viên (tài khoản "
    'nhân viên). <a href="/hoc/">Về trang luyện tập</a>.</p></html>'
)
ACCENT_NAMES = {"en-US": "Mỹ (US)", "en-GB": "Anh (UK)"}


def staff_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not (request.user.is_active and request.user.is_staff):
            # An answer, not PermissionDenied: Django would log that with a traceback.
            return HttpResponseForbidden(STAFF_ONLY)
        return view(request, *args, **kwargs)

    return wrapped


@staff_required
@page_query_checked("accent", check=accent_validate)
def studio(request: HttpRequest) -> HttpResponse:
    """The 44 phonemes of one accent (``?accent=``, else the default accent), each with what
    the chart plays now and a record button; the teacher's profile is asked first."""
    accent = accent_validate(request.GET.get("accent"))
    profile = studio_profile_get(request.user)
    if profile is None:
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('studio:profile')}?{query}")
    chart = studio_chart(accent)
    return render(
        request,
        "studio/studio.html",
        {
            "chart": chart,
            "current": chart.progress[0],
            "profile": profile,
            "accents": [(code, ACCENT_NAMES.get(code, code)) for code in accents()],
            "accent_names": ACCENT_NAMES,
        },
    )


@staff_required
def profile(request: HttpRequest) -> HttpResponse:
    """Who speaks in this teacher's recordings: asked on the first visit, editable later."""
    form = StudioProfileForm(request.POST or None, instance=studio_profile_get(request.user))
    if request.method == "POST" and form.is_valid():
        studio_profile_save(request.user, **form.cleaned_data)
        after = request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(
            after, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            after = reverse("studio:home")
        return redirect(after)
    return render(
        request,
        "studio/profile.html",
        {"form": form, "next": request.GET.get("next") or request.POST.get("next") or ""},
    )
