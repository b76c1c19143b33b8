"""Writes for accounts: users and their profile, departments, roles and API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpm.core.audit import record_create, record_update, snapshot
from clientpm.core.concurrency import bump_version, lock_for_update

from .models import ApiToken, Department, User
from .roles import ROLE_PERMISSIONS

TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def roles_sync(*, using: str = "default") -> None:
    """Create the built-in role groups and set their permissions to exactly the role table.

    Runs after every ``migrate``; permissions of apps not installed yet are skipped.
    """
    wanted = {code for codes in ROLE_PERMISSIONS.values() for code in codes}
    perms = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.using(using).select_related("content_type")
        if f"{p.content_type.app_label}.{p.codename}" in wanted
    }
    for role, codes in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set([perms[c] for c in codes if c in perms])


def _user_snapshot(user: User) -> dict[str, Any]:
    data = snapshot(user, {"groups": user.groups.values_list("name", flat=True)})
    data.pop("password", None)
    data.pop("last_login", None)
    return data


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str | None = None,
    roles: list[str] | None = None,
    **profile: Any,
) -> User:
    """Create a user with a profile and roles; without a password the account cannot log in yet."""
    user = User(username=username, **profile)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    if roles:
        unknown = set(roles) - set(ROLE_PERMISSIONS)
        if unknown:
            raise ValidationError({"roles": [_("Unknown role: %s") % ", ".join(sorted(unknown))]})
        user.groups.set(Group.objects.filter(name__in=roles))
    record_create(actor, user, _user_snapshot(user))
    return user


@transaction.atomic
def user_update_profile(*, actor: User, user: User, **fields: Any) -> User:
    """Change profile fields (display name, department, title, phone, language, time zone)."""
    allowed = {
        "display_name",
        "department",
        "title",
        "phone",
        "language",
        "time_zone",
        "email",
        "first_name",
        "last_name",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed here.")] for f in unknown})
    user = User.objects.select_for_update().get(pk=user.pk)
    before = _user_snapshot(user)
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    record_update(actor, user, before, _user_snapshot(user))
    return user


@transaction.atomic
def user_set_roles(*, actor: User, user: User, roles: list[str]) -> None:
    unknown = set(roles) - set(ROLE_PERMISSIONS)
    if unknown:
        raise ValidationError({"roles": [_("Unknown role: %s") % ", ".join(sorted(unknown))]})
    before = _user_snapshot(user)
    user.groups.set(Group.objects.filter(name__in=roles))
    record_update(actor, user, before, _user_snapshot(user))


def _department_path(dept: Department) -> str:
    parent_path = dept.parent.path if dept.parent_id else "/"
    return f"{parent_path}{dept.pk}/"


@transaction.atomic
def department_create(
    *, actor: User | None, name: str, code: str, parent: Department | None = None, manager: User | None = None
) -> Department:
    dept = Department(name=name, code=code, parent=parent, manager=manager)
    dept.full_clean(exclude=["path"])
    dept.save()
    dept.path = _department_path(dept)
    dept.save(update_fields=["path"])
    record_create(actor, dept)
    return dept


@transaction.atomic
def department_update(
    *, actor: User, department: Department, version: int | None, **fields: Any
) -> Department:
    """Rename, re-parent or change the manager; moving a department moves its whole subtree."""
    dept = lock_for_update(Department.objects.all(), department.pk, version)
    before = snapshot(dept)
    old_path = dept.path
    for name, value in fields.items():
        setattr(dept, name, value)
    if dept.parent_id and dept.parent.path.startswith(old_path):
        raise ValidationError({"parent": [_("A department cannot be moved under itself.")]})
    dept.full_clean(exclude=["path"])
    dept.path = _department_path(dept)
    bump_version(dept)
    dept.save()
    if dept.path != old_path:
        for child in Department.objects.filter(path__startswith=old_path).exclude(pk=dept.pk):
            child.path = dept.path + child.path[len(old_path) :]
            child.save(update_fields=["path"])
    record_update(actor, dept, before)
    return dept


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, actor: User, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue a token and return it with its plain text, which is shown once and never stored."""
    if not name.strip():
        raise ValidationError({"name": [_("Give the token a name so you can recognise it later.")]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": [_("The expiry must be in the future.")]})
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:100], prefix=prefix, key_hash=_hash(secret), expires_at=expires_at
    )
    record_create(actor, token, {"name": token.name, "user": user.pk, "prefix": prefix})
    return token, f"cpm_{prefix}_{secret}"


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_update(actor, token, {"revoked_at": None}, {"revoked_at": token.revoked_at.isoformat()})
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user a presented token belongs to, or None; records when the token was last used."""
    try:
        scheme, prefix, secret = raw.split("_", 2)
    except ValueError:
        return None
    if scheme != "cpm":
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=prefix, revoked_at__isnull=True).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash(secret)):
        return None
    now = timezone.now()
    if (token.expires_at and token.expires_at <= now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
