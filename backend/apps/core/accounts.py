"""Deleting an account, with everything each app keeps for it."""

from django.db import transaction

from apps.core.hooks import account_delete_hooks


def account_delete(user) -> None:
    """Delete ``user`` and what every app keeps for them (each app's registered hook deletes
    its rows, and its files once the deletion commits). One transaction: when any part fails,
    nothing is deleted."""
    with transaction.atomic():
        for hook in account_delete_hooks:
            hook(user)
        user.delete()
