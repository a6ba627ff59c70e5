"""The admin's upload forms; the API's serializer (api/recordings.py) takes the same fields."""

from django import forms

from apps.curriculum.audio.recordings import (
    GENDERS,
    LICENCES,
    Speaker,
    native_recording_add,
    native_recording_replace,
    recorded_date_check,
)
from apps.curriculum.audio.voices import accents
from apps.curriculum.models import AudioSource, Phoneme


class NativeRecordingForm(forms.Form):
    file = forms.FileField(
        allow_empty_file=True,  # the service says "The file is empty." itself
        help_text="MP3, WAV, OGG or M4A, 0.1–10 s, at most 5 MB.",
    )
    language = forms.ChoiceField(choices=[])
    speaker_name = forms.CharField(max_length=80)
    speaker_gender = forms.ChoiceField(choices=[(g, g) for g in GENDERS])
    speaker_accent = forms.CharField(
        max_length=40, required=False, help_text="e.g. RP, General American, Scottish"
    )
    licence = forms.ChoiceField(choices=[(lic, lic) for lic in LICENCES])
    recorded_date = forms.DateField(required=False, help_text="YYYY-MM-DD")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [(a, a) for a in accents()]

    def clean_recorded_date(self):
        value = self.cleaned_data.get("recorded_date")
        try:
            recorded_date_check(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        return value

    def speaker(self) -> Speaker:
        data = self.cleaned_data
        return Speaker(
            name=data["speaker_name"].strip(),
            gender=data["speaker_gender"],
            accent=data.get("speaker_accent", "").strip(),
            licence=data["licence"],
            recorded_date=data.get("recorded_date"),
        )

    def store(self, phoneme: Phoneme, *, uploaded_by: str) -> AudioSource:
        """Hand the valid upload to the service (raises ``RecordingRejected``)."""
        upload = self.cleaned_data["file"]
        return native_recording_add(
            phoneme,
            upload,
            name=upload.name,
            speaker=self.speaker(),
            language=self.cleaned_data["language"],
            uploaded_by=uploaded_by,
        )


class NativeRecordingAdminForm(NativeRecordingForm):
    phoneme = forms.ModelChoiceField(queryset=Phoneme.objects.order_by("order"))

    field_order = ["phoneme", "file", "language", "speaker_name", "speaker_gender"]

    def store(self, phoneme: Phoneme | None = None, *, uploaded_by: str) -> AudioSource:
        return super().store(phoneme or self.cleaned_data["phoneme"], uploaded_by=uploaded_by)


class ReplaceRecordingForm(forms.Form):
    file = forms.FileField(allow_empty_file=True, help_text="MP3, WAV, OGG or M4A, 0.1–10 s.")

    def __init__(self, *args, source: AudioSource, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source

    def store(self, *, uploaded_by: str) -> AudioSource:
        upload = self.cleaned_data["file"]
        return native_recording_replace(
            self.source, upload, name=upload.name, uploaded_by=uploaded_by
        )
