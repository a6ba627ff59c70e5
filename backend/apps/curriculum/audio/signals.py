"""Storage follows the database: a deleted AudioSource takes its file with it.

A signal (not ``AudioSource.delete()``) because rows also go by cascade (a phoneme deleted)
and by ``QuerySet.delete()``, which never call the model's ``delete()``. The file goes only
after the transaction commits: a rolled-back delete keeps both row and file.
"""

import logging

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from apps.curriculum.models import AudioSource

logger = logging.getLogger(__name__)


@receiver(post_delete, sender=AudioSource, dispatch_uid="audiosource_delete_file")
def audiosource_delete_file(sender, instance: AudioSource, using: str, **kwargs) -> None:
    if not instance.audio_file:
        return
    storage, name = instance.audio_file.storage, instance.audio_file.name

    def delete_file() -> None:
        if AudioSource.objects.using(using).filter(audio_file=name).exists():
            return  # another row still plays this file
        try:
            storage.delete(name)
        except OSError:
            logger.warning("Could not delete audio file %s", name, exc_info=True)

    transaction.on_commit(delete_file, using=using)
