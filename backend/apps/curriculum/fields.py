from django.db import models

from speech.ipa import normalize_ipa


class IPAField(models.CharField):
    """A CharField holding IPA in PhatAm's canonical notation.

    Values are normalised on the way in *and* in lookups, so
    ``Phoneme.objects.get(ipa_symbol="i:")`` finds the row stored as ``"iː"``,
    and ``"/ɡ/"``, ``"g"`` and ``"ɡ"`` are one symbol.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_ipa(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return normalize_ipa(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            value = normalize_ipa(value)
            setattr(model_instance, self.attname, value)
        return value
