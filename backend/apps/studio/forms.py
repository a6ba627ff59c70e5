from django import forms

from apps.studio.models import StudioProfile


class StudioProfileForm(forms.ModelForm):
    class Meta:
        model = StudioProfile
        fields = ["speaker_name", "gender", "speaker_accent", "licence"]
        labels = {
            "speaker_name": "Tên của bạn (name)",
            "gender": "Giọng (voice)",
            "speaker_accent": "Giọng vùng của bạn (your accent)",
            "licence": "Giấy phép (licence)",
        }
