"""The class pages' forms, labelled in Vietnamese."""

from django import forms

from apps.curriculum.models import PronunciationLesson


class ClassCreateForm(forms.Form):
    name = forms.CharField(label="Tên lớp", max_length=100)


class JoinForm(forms.Form):
    code = forms.CharField(
        label="Mã lớp",
        max_length=40,
        help_text="Mã gồm 6 ký tự do giáo viên đưa cho bạn, ví dụ K7QX2M.",
    )


class AssignmentForm(forms.Form):
    lesson = forms.ModelChoiceField(
        label="Bài học",
        queryset=PronunciationLesson.objects.filter(is_published=True).order_by("order", "pk"),
        empty_label=None,
    )
    due = forms.DateField(
        label="Hạn nộp", widget=forms.DateInput(attrs={"type": "date"}), help_text="Hết ngày này."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lesson"].label_from_instance = lambda lesson: lesson.title_vi or lesson.title
