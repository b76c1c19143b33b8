"""Shared steps of the project endpoints: load in scope (404), then check the permission (403)."""

import contextlib
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Field as DjangoField
from django.http import HttpRequest

from clientpm.core.api import require
from clientpm.projects.models import Project
from clientpm.projects.queries.projects import project_get


def load_project(request: HttpRequest, project_id: int, perm: str | None = None) -> Project:
    """The project if the caller may see it (else ``DoesNotExist`` → 404) and holds ``perm`` (else 403)."""
    project = project_get(user=request.user, pk=project_id)
    if perm:
        require(request, perm)
    return project


def nulls_refused(data: dict[str, Any], nullable: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Refuse explicit nulls (422) on a partial update, except for fields where null means "none"."""
    nulls = sorted(k for k, v in data.items() if v is None and k not in nullable)
    if nulls:
        raise ValidationError({k: [DjangoField.default_error_messages["null"]] for k in nulls})
    return data


@contextlib.contextmanager
def api_field_names(names: dict[str, str]) -> Iterator[None]:
    """Report a service's field errors under the names API clients send (``owner`` → ``owner_id``)."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({names.get(k, k): v for k, v in exc.message_dict.items()}) from exc
