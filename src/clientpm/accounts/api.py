"""REST endpoints of the accounts app under ``/api/v1``: the caller's own account and API tokens, and
the administration of users and departments. Parse, load through a scoped query, check the
permission, call a service, return. Password hashes never leave the server."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Field as DjangoField
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from clientpm.core.api import ERRORS, require
from clientpm.core.pagination import PagePagination

from . import queries, services
from .models import User
from .queries import RoleValue, UserFilters
from .roles import ROLE_LABELS

router = Router(tags=["accounts"])

LanguageValue = Literal[tuple(User.Language.values)]  # type: ignore[valid-type]


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    title: str
    phone: str
    language: str
    time_zone: str
    department: str | None
    roles: list[str]

    @staticmethod
    def resolve_department(obj: Any) -> str | None:
        return obj.department.name if obj.department_id else None

    @staticmethod
    def resolve_roles(obj: Any) -> list[str]:
        return [g.name for g in obj.groups.all() if g.name in ROLE_LABELS]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    expires_at: datetime | None = None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="The secret; shown only in this response.")


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request: HttpRequest) -> Any:
    return request.user


@router.get("/me/tokens", response={200: list[TokenOut], **ERRORS})
def list_tokens(request: HttpRequest) -> Any:
    return queries.api_token_list(user=request.user)


@router.post("/me/tokens", response={201: TokenCreatedOut, **ERRORS})
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    token, raw = services.api_token_create(
        actor=request.user, user=request.user, name=payload.name, expires_at=payload.expires_at
    )
    return Status(201, {**TokenOut.from_orm(token).model_dump(), "token": raw})


@router.delete("/me/tokens/{int:token_id}", response={204: None, **ERRORS})
def revoke_token(request: HttpRequest, token_id: int) -> Any:
    token = queries.api_token_list(user=request.user).get(pk=token_id)
    services.api_token_revoke(actor=request.user, token=token)
    return Status(204, None)


# Shared helpers ------------------------------------------------------------------------------------


@contextmanager
def _id_field_errors(*names: str) -> Iterator[None]:
    """Report service errors on ``parent``/``department``/``manager`` under the API's ``*_id`` names."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {(f"{key}_id" if key in names else key): errors for key, errors in exc.error_dict.items()}
        ) from exc


def _nulls_refused(data: dict[str, Any], nullable: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Refuse explicit nulls (422) on a partial update, except for fields where null means "none"."""
    nulls = sorted(k for k, v in data.items() if v is None and k not in nullable)
    if nulls:
        raise ValidationError({k: [DjangoField.default_error_messages["null"]] for k in nulls})
    return data


def _relations(data: dict[str, Any]) -> dict[str, Any]:
    """Turn ``department_id``/``parent_id``/``manager_id`` into rows, refusing unknown ids (422)."""
    for key in ("department", "parent"):
        if f"{key}_id" in data:
            pk = data.pop(f"{key}_id")
            data[key] = queries.department_by_id(pk, f"{key}_id") if pk else None
    if "manager_id" in data:
        pk = data.pop("manager_id")
        data["manager"] = queries.users_by_ids([pk], "manager_id")[0] if pk else None
    return data


# Users ---------------------------------------------------------------------------------------------


class DepartmentRef(Schema):
    id: int
    code: str
    name: str


class UserOut(Schema):
    id: int
    version: int = Field(..., description="Send it back with PATCH; it changes whenever the user is edited.")
    username: str
    display_name: str
    email: str
    department: DepartmentRef | None
    title: str
    phone: str
    language: str
    time_zone: str
    roles: list[str]
    is_active: bool
    last_login: datetime | None
    date_joined: datetime

    @staticmethod
    def resolve_roles(obj: User) -> list[str]:
        return queries.user_role_names(obj)


class UserIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str | None = Field(
        None,
        min_length=1,
        max_length=128,
        description="Initial password; without one the user cannot log in.",
    )
    display_name: str = Field("", max_length=100)
    email: str = Field("", max_length=254)
    department_id: int | None = Field(None, ge=1)
    title: str = Field("", max_length=100)
    phone: str = Field("", max_length=30)
    language: LanguageValue = ""
    time_zone: str = Field("Asia/Shanghai", max_length=64)
    roles: list[RoleValue] = Field(default_factory=list, max_length=len(ROLE_LABELS))
    is_active: bool = True


class UserPatch(Schema):
    """A partial update; ``version`` is the version the client read and is required."""

    version: int = Field(..., ge=1)
    username: str | None = Field(None, min_length=1, max_length=150)
    display_name: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254)
    department_id: int | None = Field(None, ge=1, description="null: no department")
    title: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=30)
    language: LanguageValue | None = None
    time_zone: str | None = Field(None, max_length=64)
    roles: list[RoleValue] | None = Field(None, max_length=len(ROLE_LABELS))
    is_active: bool | None = None


@router.get("/users", response={200: list[UserOut], **ERRORS}, tags=["users"])
@paginate(PagePagination)
def list_users(request: HttpRequest, filters: Query[UserFilters]) -> Any:
    """Users filtered by text, department (with sub-departments), role and status; ``count`` is the total."""
    require(request, "accounts.view_user")
    return queries.user_list(user=request.user, filters=filters)


@router.post("/users", response={201: UserOut, **ERRORS}, tags=["users"])
def create_user(request: HttpRequest, payload: UserIn) -> Any:
    require(request, "accounts.add_user")
    data = _relations(payload.model_dump(exclude_unset=True))
    with _id_field_errors("department"):
        user = services.user_create(actor=request.user, **data)
    return Status(201, queries.user_get(user=request.user, pk=user.pk))


@router.get("/users/{int:user_id}", response={200: UserOut, **ERRORS}, tags=["users"])
def get_user(request: HttpRequest, user_id: int) -> Any:
    return queries.user_get(user=request.user, pk=user_id)


@router.patch("/users/{int:user_id}", response={200: UserOut, **ERRORS}, tags=["users"])
def update_user(request: HttpRequest, user_id: int, payload: UserPatch) -> Any:
    """Change some fields; send the ``version`` you read, or get 409 if someone saved in between.

    ``is_active: false`` deactivates the user (no more log-in or API tokens).
    """
    user = queries.user_get(user=request.user, pk=user_id)
    require(request, "accounts.change_user")
    data = _nulls_refused(payload.model_dump(exclude_unset=True), frozenset({"department_id"}))
    data = _relations(data)
    version = data.pop("version")
    with _id_field_errors("department"):
        services.user_update(actor=request.user, user=user, version=version, **data)
    return queries.user_get(user=request.user, pk=user_id)


# Departments ---------------------------------------------------------------------------------------


class UserRef(Schema):
    id: int
    username: str
    display_name: str


class DepartmentOut(Schema):
    id: int
    version: int
    code: str
    name: str
    parent_id: int | None
    depth: int
    manager: UserRef | None
    member_count: int = Field(..., description="Users in this department (not counting sub-departments)")
    child_count: int = Field(..., description="Direct sub-departments")
    created_at: datetime
    updated_at: datetime


class DepartmentIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    code: str = Field(..., min_length=1, max_length=30)
    parent_id: int | None = Field(None, ge=1)
    manager_id: int | None = Field(None, ge=1)


class DepartmentPatch(Schema):
    """A partial update; a new ``parent_id`` moves the department with its subtree (null: to the top)."""

    version: int = Field(..., ge=1)
    name: str | None = Field(None, min_length=1, max_length=100)
    code: str | None = Field(None, min_length=1, max_length=30)
    parent_id: int | None = Field(None, ge=1)
    manager_id: int | None = Field(None, ge=1)


@router.get("/departments", response={200: list[DepartmentOut], **ERRORS}, tags=["departments"])
@paginate(PagePagination)
def list_departments(request: HttpRequest, q: str = "", parent: int | None = None) -> Any:
    """Departments by name (``parent``: only its direct sub-departments), with member counts."""
    require(request, "accounts.view_department")
    return queries.department_list(user=request.user, q=q[:100], parent=parent)


@router.post("/departments", response={201: DepartmentOut, **ERRORS}, tags=["departments"])
def create_department(request: HttpRequest, payload: DepartmentIn) -> Any:
    require(request, "accounts.add_department")
    data = _relations(payload.model_dump(exclude_unset=True))
    with _id_field_errors("parent", "manager"):
        dept = services.department_create(actor=request.user, **data)
    return Status(201, queries.department_get(user=request.user, pk=dept.pk))


@router.get("/departments/{int:department_id}", response={200: DepartmentOut, **ERRORS}, tags=["departments"])
def get_department(request: HttpRequest, department_id: int) -> Any:
    return queries.department_get(user=request.user, pk=department_id)


@router.patch(
    "/departments/{int:department_id}", response={200: DepartmentOut, **ERRORS}, tags=["departments"]
)
def update_department(request: HttpRequest, department_id: int, payload: DepartmentPatch) -> Any:
    """Rename, recode, change the manager or move; 422 for a move under its own subtree, 409 if stale."""
    dept = queries.department_get(user=request.user, pk=department_id)
    require(request, "accounts.change_department")
    data = _nulls_refused(payload.model_dump(exclude_unset=True), frozenset({"parent_id", "manager_id"}))
    data = _relations(data)
    version = data.pop("version")
    with _id_field_errors("parent", "manager"):
        services.department_update(actor=request.user, department=dept, version=version, **data)
    return queries.department_get(user=request.user, pk=department_id)


@router.delete("/departments/{int:department_id}", response={204: None, **ERRORS}, tags=["departments"])
def delete_department(request: HttpRequest, department_id: int, version: int | None = None) -> Any:
    """Delete an empty department; 409 listing what is in the way while it has members or sub-departments."""
    dept = queries.department_get(user=request.user, pk=department_id)
    require(request, "accounts.delete_department")
    services.department_delete(actor=request.user, department=dept, version=version)
    return Status(204, None)
