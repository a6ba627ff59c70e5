"""The learner's sign-up and log-in forms, labelled in Vietnamese."""

from django.contrib.auth.forms import AuthenticationForm, UserCreationForm


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
