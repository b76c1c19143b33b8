"""Reads for accounts: users, departments and tokens as the interfaces need them."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .models import ApiToken, Department, User


def users_by_ids(ids: Iterable[int], field: str) -> list[User]:
    """Active users with these ids, or a field error naming ``field`` when any id is unknown."""
    wanted = set(ids)
    users = list(User.objects.filter(pk__in=wanted, is_active=True))
    if len(users) != len(wanted):
        raise ValidationError({field: [_("Unknown or inactive user.")]})
    return users


def user_choices() -> QuerySet[User]:
    """Active users for pickers (owner, participants), display name loaded."""
    return User.objects.filter(is_active=True).only(
        "id", "username", "display_name", "first_name", "last_name"
    )


def department_tree() -> QuerySet[Department]:
    """All departments in tree order (``path`` sorts parents before children)."""
    return Department.objects.select_related("manager").order_by("path")


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")
