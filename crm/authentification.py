"""Signing in and the signed-in user of each request."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from crm.roles import avec_roles


class ModelBackendAvecRoles(ModelBackend):
    """Django's model backend, loading the user of each request with their roles in one query
    (instead of the user, then their groups at the first rights check)."""

    def get_user(self, user_id: int) -> Any:
        User = get_user_model()
        try:
            user = avec_roles(User._default_manager.all()).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
