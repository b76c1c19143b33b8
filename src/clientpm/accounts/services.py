"""Writes for accounts: users and their profile, departments, roles and API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clientpm.core.audit import record_create, record_delete, record_update, snapshot
from clientpm.core.concurrency import bump_version, lock_for_update
from clientpm.core.errors import ConflictError

from .models import ApiToken, Department, User
from .roles import ADMINISTRATOR, ROLE_PERMISSIONS

TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)

# What ``user_update`` may change; the password has its own flows, staff flags stay in the admin.
USER_FIELDS = frozenset(
    {
        "username",
        "display_name",
        "first_name",
        "last_name",
        "email",
        "department",
        "title",
        "phone",
        "language",
        "time_zone",
        "is_active",
    }
)
DEPARTMENT_FIELDS = frozenset({"name", "code", "parent", "manager"})


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


def _check_roles(roles: Iterable[str]) -> list[str]:
    roles = list(roles)
    unknown = set(roles) - set(ROLE_PERMISSIONS)
    if unknown:
        raise ValidationError({"roles": [_("Unknown role: %s") % ", ".join(sorted(unknown))]})
    return roles


def _apply_roles(user: User, roles: list[str]) -> None:
    """Give ``user`` exactly these built-in roles; groups that are not roles are kept."""
    wanted = Group.objects.filter(name__in=roles)
    dropped = Group.objects.filter(name__in=set(ROLE_PERMISSIONS) - set(roles))
    user.groups.remove(*dropped)
    user.groups.add(*wanted)


def _prepare_user(user: User) -> None:
    user.username = user.username.strip()
    user.display_name = user.display_name.strip()
    user.email = user.email.strip()
    user.full_clean(exclude=["password"])


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str | None = None,
    roles: Iterable[str] | None = None,
    **profile: Any,
) -> User:
    """Create a user with a profile and roles; without a password the account cannot log in yet.

    Raises ``ValidationError`` for a taken username, bad profile fields, a password the password
    validators refuse (key ``password``) or an unknown role.
    """
    roles = _check_roles(roles or [])
    user = User(username=username, **profile)
    errors: dict[str, list[str]] = {}
    try:
        _prepare_user(user)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = exc.messages
    if errors:  # every field's problem in one round
        raise ValidationError(errors)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    if roles:
        _apply_roles(user, roles)
    record_create(actor, user, _user_snapshot(user))
    return user


def _lock_user(pk: int, expected_version: int | None) -> User:
    """Row-lock the user ``pk``, refusing a stale ``expected_version``."""
    return lock_for_update(User.objects.all(), pk, expected_version)


def _check_keeps_access(actor: User | None, user: User, before: dict[str, Any]) -> None:
    """Refuse locking oneself out and leaving the company without an active administrator."""
    if actor is not None and actor.pk == user.pk and before["is_active"] and not user.is_active:
        raise ValidationError({"is_active": [_("You cannot deactivate your own account.")]})
    was_admin = before["is_active"] and ADMINISTRATOR in before["groups"]
    is_admin = user.is_active and user.groups.filter(name=ADMINISTRATOR).exists()
    if was_admin and not is_admin:
        others = User.objects.filter(is_active=True, groups__name=ADMINISTRATOR).exclude(pk=user.pk).exists()
        if not others:
            field = "is_active" if not user.is_active else "roles"
            raise ValidationError({field: [_("At least one active administrator must remain.")]})


@transaction.atomic
def user_update(
    *,
    actor: User | None,
    user: User,
    version: int | None,
    roles: Iterable[str] | None = None,
    **fields: Any,
) -> User:
    """Change a user's account and profile fields (``USER_FIELDS``) and, with ``roles``, their roles.

    Refuses a stale ``version`` (``StaleVersionError``, 409). Raises ``ValidationError`` for bad
    fields, an unknown role, deactivating one's own account, or taking the last active
    administrator's role or account away. Deactivated users can no longer log in or use their
    API tokens; nothing else about them changes.
    """
    unknown = set(fields) - USER_FIELDS
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed here.")] for f in sorted(unknown)})
    wanted_roles = _check_roles(roles) if roles is not None else None
    user = _lock_user(user.pk, version)
    before = _user_snapshot(user)
    for name, value in fields.items():
        setattr(user, name, value)
    _prepare_user(user)
    bump_version(user)
    user.save()
    if wanted_roles is not None:
        _apply_roles(user, wanted_roles)
    _check_keeps_access(actor, user, before)
    record_update(actor, user, before, _user_snapshot(user))
    return user


def user_set_active(*, actor: User | None, user: User, active: bool, version: int | None = None) -> User:
    """Deactivate (``active=False``) or reactivate a user; the rules of ``user_update`` apply."""
    return user_update(actor=actor, user=user, version=version, is_active=active)


@transaction.atomic
def user_update_profile(*, actor: User, user: User, **fields: Any) -> User:
    """Change one's own profile fields (display name, department, title, phone, language, time zone)."""
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
    bump_version(user)
    user.save()
    record_update(actor, user, before, _user_snapshot(user))
    return user


@transaction.atomic
def user_set_roles(*, actor: User, user: User, roles: list[str]) -> None:
    """Give ``user`` exactly these built-in roles (other groups are kept)."""
    user_update(actor=actor, user=user, version=None, roles=roles)


def _lock_parent(parent: Department | None) -> Department | None:
    """The parent row, re-read and locked so its path is current while the caller moves under it."""
    if parent is None:
        return None
    return Department.objects.select_for_update().get(pk=parent.pk)


def _prepare_department(dept: Department) -> None:
    dept.name = dept.name.strip()
    dept.code = dept.code.strip()
    dept.full_clean(exclude=["path"])


@transaction.atomic
def department_create(
    *, actor: User | None, name: str, code: str, parent: Department | None = None, manager: User | None = None
) -> Department:
    """Create a department under ``parent`` (at the top without one).

    Raises ``ValidationError`` for a missing name or a code another department uses.
    """
    parent = _lock_parent(parent)
    dept = Department(name=name, code=code, parent=parent, manager=manager)
    _prepare_department(dept)
    dept.save()
    dept.path = f"{parent.path if parent else '/'}{dept.pk}/"
    dept.save(update_fields=["path"])
    record_create(actor, dept)
    return dept


@transaction.atomic
def department_update(
    *, actor: User | None, department: Department, version: int | None, **fields: Any
) -> Department:
    """Rename, recode, change the manager or move (``parent``) a department.

    Moving takes the whole subtree along (one UPDATE of the descendants' paths). Refuses a stale
    ``version`` (409) and, with a ``ValidationError`` on ``parent``, a move under the department
    itself or one of its sub-departments.
    """
    unknown = set(fields) - DEPARTMENT_FIELDS
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed here.")] for f in sorted(unknown)})
    dept = lock_for_update(Department.objects.all(), department.pk, version)
    before = snapshot(dept)
    old_path = dept.path
    if "parent" in fields:
        fields["parent"] = _lock_parent(fields["parent"])
        parent = fields["parent"]
        if parent is not None and parent.path.startswith(old_path):
            raise ValidationError(
                {"parent": [_("A department cannot be moved under itself or one of its sub-departments.")]}
            )
    for name, value in fields.items():
        setattr(dept, name, value)
    _prepare_department(dept)
    dept.path = f"{dept.parent.path if dept.parent_id else '/'}{dept.pk}/"
    bump_version(dept)
    dept.save()
    if dept.path != old_path:
        Department.objects.filter(path__startswith=old_path).exclude(pk=dept.pk).update(
            path=Concat(Value(dept.path), Substr("path", len(old_path) + 1), output_field=CharField())
        )
    record_update(actor, dept, before)
    return dept


def department_move(
    *, actor: User | None, department: Department, parent: Department | None, version: int | None
) -> Department:
    """Move a department and its subtree under ``parent`` (to the top with ``None``); see ``department_update``."""
    return department_update(actor=actor, department=department, version=version, parent=parent)


@transaction.atomic
def department_delete(*, actor: User | None, department: Department, version: int | None = None) -> None:
    """Delete an empty department.

    Raises ``ConflictError`` (409) while it has sub-departments or members (deactivated users
    count: they would silently lose their department), and ``StaleVersionError`` for a stale version.
    """
    dept = lock_for_update(Department.objects.all(), department.pk, version)
    children = dept.children.count()
    members = dept.members.count()
    if children or members:
        reasons = []
        if children:
            reasons.append(
                ngettext(
                    "It has %(count)d sub-department; move or delete it first.",
                    "It has %(count)d sub-departments; move or delete them first.",
                    children,
                )
                % {"count": children}
            )
        if members:
            reasons.append(
                ngettext(
                    "It has %(count)d member; move them to another department first.",
                    "It has %(count)d members; move them to another department first.",
                    members,
                )
                % {"count": members}
            )
        raise ConflictError(
            _("The department %(name)s is not empty and cannot be deleted.") % {"name": dept.name}, reasons
        )
    record_delete(actor, dept, snapshot(dept))
    dept.delete()


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
