"""The learner's sign-up, log-in and onboarding forms, labelled in Vietnamese."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm

from apps.curriculum.models import Dialect


class SignupForm(UserCreationForm):
    """Django's UserCreationForm (username, password twice, the password validators)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Tên đăng nhập"
        self.fields["username"].help_text = "Tối đa 150 ký tự: chữ cái không dấu, chữ số và . _ -"
        self.fields["password1"].label = "Mật khẩu"
        self.fields[
            "password1"
        ].help_text = (
            "Ít nhất 8 ký tự, không quá phổ biến, không chỉ gồm chữ số, không giống tên đăng nhập."
        )
        self.fields["password2"].label = "Nhập lại mật khẩu"
        self.fields["password2"].help_text = ""


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Tên đăng nhập"
        self.fields["password"].label = "Mật khẩu"


ACCENT_LABELS_VI = {"en-US": "Tiếng Anh Mỹ (US)", "en-GB": "Tiếng Anh Anh (UK)"}


class OnboardingForm(forms.Form):
    """The learner's Vietnamese dialect and the accent they aim at."""

    dialect = forms.ChoiceField(
        label="Bạn nói tiếng Việt giọng miền nào?",
        choices=[(value, f"Miền {label}") for value, label in Dialect.choices],
        widget=forms.RadioSelect,
        help_text="Mỗi miền có những âm dễ lẫn riêng: mẹo dành cho giọng của bạn sẽ hiện trước.",
        error_messages={"required": "Hãy chọn giọng miền của bạn."},
    )
    accent = forms.ChoiceField(
        label="Bạn muốn luyện giọng tiếng Anh nào?",
        widget=forms.RadioSelect,
        error_messages={"required": "Hãy chọn giọng tiếng Anh bạn muốn luyện."},
    )

    def __init__(self, *args, accents: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accent"].choices = [
            (accent, ACCENT_LABELS_VI.get(accent, accent)) for accent in accents
        ]
