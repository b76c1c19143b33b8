"""Reads for accounts: users, departments and tokens as the interfaces need them.

The user list filters are defined once (``UserFilters``) and shared by the users page and the API.
Departments are few, so the tree is ordered in Python (children by name under their parent); the
order of the ``path`` strings depends on the database collation and is not used for display.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import field_validator

from .models import ApiToken, Department, User
from .roles import ROLE_LABELS

RoleValue = Literal[tuple(ROLE_LABELS)]  # type: ignore[valid-type]

USER_SORTS = {
    "username": ("username", "id"),
    "-username": ("-username", "-id"),
    "name": ("display_name", "username"),
    "-name": ("-display_name", "-username"),
    "last_login": ("last_login", "id"),
    "-last_login": ("-last_login", "-id"),
}
UserSortValue = Literal[tuple(USER_SORTS)]  # type: ignore[valid-type]


class UserFilters(Schema):
    """Filters of the user list (page and API); they combine with AND."""

    q: str = Field("", max_length=100, description="Text in the username, display name, name or e-mail")
    department: int | None = Field(
        None, ge=1, description="Members of this department or its sub-departments"
    )
    role: RoleValue | None = Field(None, description="Users holding this role")
    active: bool | None = Field(None, description="Only active (true) or only deactivated (false) users")
    sort: UserSortValue = "username"

    @field_validator("q")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    def is_default(self) -> bool:
        return self == UserFilters()


def user_role_names(user: User) -> list[str]:
    """The built-in roles ``user`` holds, sorted (uses prefetched groups when present)."""
    return sorted(g.name for g in user.groups.all() if g.name in ROLE_LABELS)


def _role_groups() -> Prefetch:
    return Prefetch("groups", queryset=Group.objects.filter(name__in=list(ROLE_LABELS)).order_by("name"))


def user_scope(*, user: User | AnonymousUser) -> QuerySet[User]:
    """Users ``user`` may see: everyone with ``accounts.view_user``, else only themselves."""
    if not user.is_authenticated:
        return User.objects.none()
    if user.has_perm("accounts.view_user"):
        return User.objects.all()
    return User.objects.filter(pk=user.pk)


def user_list(*, user: User | AnonymousUser, filters: UserFilters) -> QuerySet[User]:
    """Users filtered and sorted, with their department and roles loaded (two queries in all)."""
    qs = user_scope(user=user).select_related("department").prefetch_related(_role_groups())
    if filters.q:
        qs = qs.filter(
            Q(username__icontains=filters.q)
            | Q(display_name__icontains=filters.q)
            | Q(first_name__icontains=filters.q)
            | Q(last_name__icontains=filters.q)
            | Q(email__icontains=filters.q)
        )
    if filters.department:
        # The department and its sub-departments: every path below starts with its path.
        path = Department.objects.filter(pk=filters.department).values("path")[:1]
        qs = qs.filter(department__path__startswith=Subquery(path))
    if filters.role:
        qs = qs.filter(groups__name=filters.role)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return qs.order_by(*USER_SORTS[filters.sort])


def user_get(*, user: User | AnonymousUser, pk: int) -> User:
    """One user ``user`` may see, department and roles loaded (``User.DoesNotExist`` otherwise)."""
    return user_scope(user=user).select_related("department").prefetch_related(_role_groups()).get(pk=pk)


def users_by_ids(ids: Iterable[int], field: str) -> list[User]:
    """Active users with these ids, or a field error naming ``field`` when any id is unknown."""
    wanted = set(ids)
    users = list(User.objects.filter(pk__in=wanted, is_active=True))
    if len(users) != len(wanted):
        raise ValidationError({field: [_("Unknown or inactive user.")]})
    return users


def user_choices(*, include: int | None = None) -> QuerySet[User]:
    """Active users for pickers (owner, participants), display name loaded.

    ``include`` keeps one more user (the current choice, even if deactivated since) so an edit
    form does not refuse the value it was loaded with.
    """
    condition = Q(is_active=True) | Q(pk=include) if include else Q(is_active=True)
    return User.objects.filter(condition).only("id", "username", "display_name", "first_name", "last_name")


def department_scope(*, user: User | AnonymousUser) -> QuerySet[Department]:
    """Departments ``user`` may see: all of them, given ``accounts.view_department``."""
    if not user.is_authenticated or not user.has_perm("accounts.view_department"):
        return Department.objects.none()
    return Department.objects.all()


def _member_count() -> Coalesce:
    members = (
        User.objects.filter(department=OuterRef("pk"))
        .order_by()
        .values("department")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(members, output_field=IntegerField()), 0)


def _child_count() -> Coalesce:
    children = (
        Department.objects.filter(parent=OuterRef("pk"))
        .order_by()
        .values("parent")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(children, output_field=IntegerField()), 0)


def department_list(
    *, user: User | AnonymousUser, q: str = "", parent: int | None = None
) -> QuerySet[Department]:
    """Departments by name with ``member_count`` and ``child_count`` computed in the same query."""
    qs = department_scope(user=user).select_related("manager")
    if q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(code__icontains=q.strip()))
    if parent is not None:
        qs = qs.filter(parent_id=parent)
    return qs.annotate(member_count=_member_count(), child_count=_child_count()).order_by("name", "id")


def department_get(*, user: User | AnonymousUser, pk: int) -> Department:
    """One department ``user`` may see, with its counts (``Department.DoesNotExist`` otherwise)."""
    return department_list(user=user).get(pk=pk)


def tree_order(departments: Iterable[Department]) -> list[Department]:
    """``departments`` depth-first, each followed by its sub-departments sorted by name.

    A department whose parent is not among them is treated as a root.
    """
    rows = list(departments)
    ids = {d.pk for d in rows}
    children: dict[int | None, list[Department]] = {}
    for dept in rows:
        key = dept.parent_id if dept.parent_id in ids else None
        children.setdefault(key, []).append(dept)
    ordered: list[Department] = []

    def visit(parent_id: int | None) -> None:
        for dept in sorted(children.get(parent_id, []), key=lambda d: (d.name.casefold(), d.pk)):
            ordered.append(dept)
            visit(dept.pk)

    visit(None)
    return ordered


def department_tree(*, user: User | AnonymousUser) -> list[Department]:
    """Every department ``user`` may see in tree order, with manager and counts (one query).

    Besides ``member_count`` (direct members), ``subtree_member_count`` adds the members of all
    sub-departments, summed in Python from the same rows.
    """
    rows = tree_order(department_list(user=user))
    by_id = {d.pk: d for d in rows}
    for dept in rows:
        dept.subtree_member_count = dept.member_count  # type: ignore[attr-defined]
    for dept in reversed(rows):  # children come after their parent, so they are summed first
        parent = by_id.get(dept.parent_id) if dept.parent_id else None
        if parent is not None:
            parent.subtree_member_count += dept.subtree_member_count  # type: ignore[attr-defined]
    return rows


def department_choices() -> QuerySet[Department]:
    """All departments for pickers (order them with ``tree_order``)."""
    return Department.objects.all()


def department_by_id(pk: int, field: str) -> Department:
    """The department with id ``pk``, or a field error naming ``field``."""
    dept = Department.objects.filter(pk=pk).first()
    if dept is None:
        raise ValidationError({field: [_("Unknown department.")]})
    return dept


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")
