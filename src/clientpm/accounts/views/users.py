"""User administration pages: the filtered list, a user's page, create, edit, deactivate and reactivate."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from pydantic import ValidationError as SchemaError

from clientpm.accounts import queries, services
from clientpm.accounts.forms import INDENT, UserForm
from clientpm.accounts.models import User
from clientpm.accounts.roles import ROLE_LABELS
from clientpm.core.errors import ConflictError
from clientpm.core.forms import add_service_error
from clientpm.core.paging import paginate_request
from clientpm.core.queries import object_history


def parse_user_filters(params: QueryDict) -> tuple[queries.UserFilters, dict[str, str]]:
    """Filters from a query string; invalid ones are reported per field and dropped, never a 500."""
    data: dict[str, Any] = {k: v for k, v in params.items() if v and k not in ("page", "page_size")}
    try:
        return queries.UserFilters.model_validate(data), {}
    except SchemaError as exc:
        errors = {str(e["loc"][0]): e["msg"] for e in exc.errors()}
        clean = {k: v for k, v in data.items() if k not in errors}
        return queries.UserFilters.model_validate(clean), errors


def get_visible_user(request: HttpRequest, pk: int) -> User:
    try:
        return queries.user_get(user=request.user, pk=pk)
    except User.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@permission_required("accounts.view_user", raise_exception=True)
def user_list(request: HttpRequest) -> HttpResponse:
    """Users filtered by text, department (with its sub-departments), role and status."""
    filters, errors = parse_user_filters(request.GET)
    page = paginate_request(request, queries.user_list(user=request.user, filters=filters))
    users = list(page.object_list)
    for account in users:
        account.role_labels = [ROLE_LABELS[name] for name in queries.user_role_names(account)]  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "nav": "users",
        "page": page,
        "users": users,
        "filters": filters,
        "errors": errors,
    }
    if request.htmx and not request.htmx.boosted:  # the filter form asks for the table only
        return render(request, "accounts/_user_table.html", context)
    context["department_options"] = [
        (d.pk, f"{INDENT * d.depth}{d.name}") for d in queries.department_tree(user=request.user)
    ]
    context["roles"] = list(ROLE_LABELS.items())
    return render(request, "accounts/user_list.html", context)


@login_required
@permission_required("accounts.view_user", raise_exception=True)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A user's account, profile and roles, with the change history for those who may read it."""
    account = get_visible_user(request, pk)
    history = object_history(account)[:100] if request.user.has_perm("core.view_changerecord") else None
    context = {
        "nav": "users",
        "account": account,
        "roles": [ROLE_LABELS[name] for name in queries.user_role_names(account)],
        "version": account.version,
        "records": history,
    }
    return render(request, "accounts/user_detail.html", context)


@login_required
@permission_required("accounts.add_user", raise_exception=True)
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.user_create(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("User %(name)s was created.") % {"name": account})
            return redirect("accounts:user-detail", pk=account.pk)
    return render(request, "accounts/user_form.html", {"form": form, "nav": "users"})


@login_required
@permission_required("accounts.change_user", raise_exception=True)
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a user; a save based on an outdated page is refused and nothing is saved."""
    account = get_visible_user(request, pk)
    form = UserForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(
                actor=request.user,
                user=account,
                version=form.cleaned_data["version"],
                **form.service_kwargs(),
            )
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("accounts:user-detail", pk=account.pk)
    return render(request, "accounts/user_form.html", {"form": form, "account": account, "nav": "users"})


@login_required
@permission_required("accounts.change_user", raise_exception=True)
@require_POST
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (``active=0``) or reactivate (``active=1``) from the list or the user's page."""
    account = get_visible_user(request, pk)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(actor=request.user, user=account, active=active)
    except (ValidationError, ConflictError) as exc:
        for message in exc.messages if isinstance(exc, ValidationError) else [exc.detail]:
            messages.error(request, message)
    else:
        if active:
            messages.success(request, _("%(name)s was reactivated and can log in again.") % {"name": account})
        else:
            messages.success(
                request,
                _("%(name)s was deactivated: they can no longer log in or use API tokens.")
                % {"name": account},
            )
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return redirect(next_url)
    return redirect("accounts:user-detail", pk=account.pk)
