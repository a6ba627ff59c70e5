"""The class pages, in Vietnamese: a learner's classes and assignments (under /hoc/lop/),
and the teacher's classes and reports (under /giao-vien/lop/). Forms post back to the page;
no script is needed."""

from datetime import datetime, time
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.classes.forms import AssignmentForm, ClassCreateForm, JoinForm
from apps.classes.selectors import (
    assignments_for_learner,
    class_report,
    classroom_for_teacher,
    classrooms_joined,
    classrooms_taught,
    is_teacher,
    learner_report,
    shared_recordings,
)
from apps.classes.services import (
    ClassError,
    assignment_set,
    classroom_create,
    classroom_join,
    consent_set,
    member_remove,
    membership_leave,
)
from apps.practice.views import vietnamese


class NotYourClass(Exception):
    """The class (or its learner) is not the teacher's: answered 404, in Vietnamese."""


def _not_in_class(request: HttpRequest) -> HttpResponse:
    return _refused(
        request, status=404, heading="Không tìm thấy", message="Bạn không ở trong lớp này."
    )


def _refused(request: HttpRequest, *, status: int, heading: str, message: str) -> HttpResponse:
    context = {"heading": heading, "message": message}
    return render(request, "classes/refused.html", context, status=status)


def teacher_required(view):
    """Teachers only: anyone else logged in gets a 403 page saying so; a class that is not
    theirs is a 404 page (as if it did not exist)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_teacher(request.user):
            return _refused(
                request,
                status=403,
                heading="Trang dành cho giáo viên",
                message="Trang này chỉ dành cho giáo viên. Nếu bạn là giáo viên, hãy nhờ quản "
                "trị viên thêm tài khoản của bạn vào nhóm giáo viên.",
            )
        try:
            return view(request, *args, **kwargs)
        except NotYourClass:
            return _refused(
                request,
                status=404,
                heading="Không tìm thấy",
                message="Không có lớp hoặc học viên này trong các lớp bạn dạy.",
            )

    return login_required(wrapped)


def _taught_or_404(request: HttpRequest, pk: int):
    classroom = classroom_for_teacher(request.user, pk)
    if classroom is None:
        raise NotYourClass(pk)
    return classroom


@vietnamese
@login_required
def learner_classes(request: HttpRequest) -> HttpResponse:
    """The learner's assignments (what is left first), their classes, joining one."""
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = classroom_join(request.user, code=form.cleaned_data["code"])
        except ClassError as exc:
            form.add_error("code", exc.message_vi)
        else:
            messages.success(request, f"Bạn đã vào lớp “{membership.classroom.name}”.")
            return redirect("classes:learner")
    return render(
        request,
        "classes/learner.html",
        {
            "nav": "classes",
            "form": form,
            "assignments": assignments_for_learner(request.user),
            "memberships": list(classrooms_joined(request.user)),
            "teacher": is_teacher(request.user),
        },
    )


@vietnamese
@login_required
@require_POST
def learner_leave(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        membership_leave(request.user, pk)
    except ClassError:
        return _not_in_class(request)
    messages.success(request, "Bạn đã rời lớp. Giáo viên không còn xem được kết quả của bạn.")
    return redirect("classes:learner")


@vietnamese
@login_required
@require_POST
def learner_consent(request: HttpRequest, pk: int) -> HttpResponse:
    share = request.POST.get("share") == "1"
    try:
        consent_set(request.user, pk, share=share)
    except ClassError:
        return _not_in_class(request)
    messages.success(
        request,
        "Giáo viên của lớp giờ nghe được các bản ghi gần đây của bạn."
        if share
        else "Đã thôi chia sẻ bản ghi với giáo viên của lớp.",
    )
    return redirect("classes:learner")


@vietnamese
@teacher_required
def teacher_classes(request: HttpRequest) -> HttpResponse:
    """The teacher's classes, and a form for a new one."""
    form = ClassCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        classroom = classroom_create(request.user, name=form.cleaned_data["name"])
        messages.success(request, f"Đã tạo lớp “{classroom.name}”, mã lớp {classroom.join_code}.")
        return redirect("classes:teacher-class", classroom.pk)
    return render(
        request,
        "classes/teacher_list.html",
        {"nav": "teacher", "form": form, "classrooms": classrooms_taught(request.user)},
    )


@vietnamese
@teacher_required
def teacher_class(request: HttpRequest, pk: int) -> HttpResponse:
    """One class: its code, assignments and their completion, weakest contrasts, weekly
    trend and each learner's results; a form to assign a lesson."""
    classroom = _taught_or_404(request, pk)
    form = AssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        due = timezone.make_aware(datetime.combine(form.cleaned_data["due"], time(23, 59, 59)))
        assignment_set(classroom, lesson=form.cleaned_data["lesson"], due=due)
        messages.success(request, "Đã giao bài.")
        return redirect("classes:teacher-class", classroom.pk)
    report = class_report(classroom)
    return render(
        request,
        "classes/teacher_class.html",
        {
            "nav": "teacher",
            "classroom": classroom,
            "report": report,
            "weeks": [{"week": week} for week in report.weeks],
            "form": form,
            "csv_url": f"{reverse('classes-api:report', args=[classroom.pk])}?format=csv",
        },
    )


@vietnamese
@teacher_required
@require_POST
def teacher_remove(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    classroom = _taught_or_404(request, pk)
    try:
        member_remove(classroom, user_id)
    except ClassError:
        raise NotYourClass(user_id) from None
    messages.success(request, "Đã xoá học viên khỏi lớp.")
    return redirect("classes:teacher-class", classroom.pk)


@vietnamese
@teacher_required
def teacher_learner(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    """One learner: confusion matrix, results, and the recordings they share."""
    classroom = _taught_or_404(request, pk)
    learner = learner_report(classroom, user_id)
    if learner is None:
        raise NotYourClass(user_id)
    recordings = [
        {
            "recording": r,
            "audio_url": reverse(
                "classes-api:recording-audio", args=[classroom.pk, user_id, r.kind, r.pk]
            )
            if r.has_audio
            else None,
        }
        for r in shared_recordings(classroom, user_id)
    ]
    return render(
        request,
        "classes/teacher_learner.html",
        {
            "nav": "teacher",
            "classroom": classroom,
            "learner": learner,
            "recordings": recordings,
        },
    )
