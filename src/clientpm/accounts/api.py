"""REST endpoints for the caller's own account and API tokens."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from clientpm.core.api import ERRORS

from . import queries, services
from .roles import ROLE_LABELS

router = Router(tags=["accounts"])


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
