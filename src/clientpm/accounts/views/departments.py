"""Department pages: the organisation tree with member counts, create, edit (rename, move) and delete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from clientpm.accounts import queries, services
from clientpm.accounts.forms import DepartmentForm
from clientpm.accounts.models import Department
from clientpm.core.errors import ConflictError
from clientpm.core.forms import add_service_error


def get_visible_department(request: HttpRequest, pk: int) -> Department:
    try:
        return queries.department_get(user=request.user, pk=pk)
    except Department.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@permission_required("accounts.view_department", raise_exception=True)
def department_list(request: HttpRequest) -> HttpResponse:
    """The whole tree, indented, with each department's members counted in the same query."""
    departments = queries.department_tree(user=request.user)
    return render(
        request, "accounts/department_list.html", {"nav": "departments", "departments": departments}
    )


@login_required
@permission_required("accounts.add_department", raise_exception=True)
def department_create(request: HttpRequest) -> HttpResponse:
    """A new department; ``?parent=<id>`` pre-selects the parent (the "add sub-department" link)."""
    form = DepartmentForm(request.POST or None, initial={"parent": request.GET.get("parent")})
    if request.method == "POST" and form.is_valid():
        try:
            dept = services.department_create(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Department %(name)s was created.") % {"name": dept.name})
            return redirect("accounts:department-list")
    return render(request, "accounts/department_form.html", {"form": form, "nav": "departments"})


@login_required
@permission_required("accounts.change_department", raise_exception=True)
def department_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename, recode, change the manager, or move under another parent (with the whole subtree)."""
    dept = get_visible_department(request, pk)
    form = DepartmentForm(request.POST or None, instance=dept)
    if request.method == "POST" and form.is_valid():
        try:
            services.department_update(
                actor=request.user,
                department=dept,
                version=form.cleaned_data["version"],
                **form.service_kwargs(),
            )
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("accounts:department-list")
    return render(
        request, "accounts/department_form.html", {"form": form, "department": dept, "nav": "departments"}
    )


@login_required
@permission_required("accounts.delete_department", raise_exception=True)
def department_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask first; only an empty department can go, otherwise say what is in the way."""
    dept = get_visible_department(request, pk)
    if request.method == "POST":
        try:
            services.department_delete(actor=request.user, department=dept)
        except ConflictError as exc:
            messages.error(request, " ".join([exc.detail, *exc.reasons]))
        else:
            messages.success(request, _("Department %(name)s was deleted.") % {"name": dept.name})
        return redirect("accounts:department-list")
    return render(
        request,
        "accounts/department_confirm_delete.html",
        {
            "department": dept,
            "blocked": bool(dept.child_count or dept.member_count),
            "cancel_url": reverse("accounts:department-list"),
            "nav": "departments",
        },
    )
