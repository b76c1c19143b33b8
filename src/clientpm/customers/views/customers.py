"""Customer pages: the filtered list, the customer 360, create/edit, archive and delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from pydantic import ValidationError as SchemaError

from clientpm.accounts.queries import user_choices
from clientpm.core.errors import ConflictError
from clientpm.core.forms import add_service_error
from clientpm.core.paging import paginate_request
from clientpm.core.queries import object_history
from clientpm.customers import queries, services
from clientpm.customers.filters import CustomerFilters
from clientpm.customers.forms import CustomerForm
from clientpm.customers.models import Customer, CustomerKind, Industry, LifecycleStage, Province, Tag, Tier

LIST_FIELDS = ("stage", "tier", "province", "industry", "tag")


def parse_filters(params: QueryDict) -> tuple[CustomerFilters, dict[str, str]]:
    """Filters from a query string; invalid ones are reported per field and dropped, never a 500."""
    data: dict[str, Any] = {k: v for k, v in params.items() if v and k not in LIST_FIELDS}
    data.update({k: [v for v in params.getlist(k) if v] for k in LIST_FIELDS if params.getlist(k)})
    data.pop("page", None)
    data.pop("page_size", None)
    try:
        return CustomerFilters.model_validate(data), {}
    except SchemaError as exc:
        errors = {str(e["loc"][0]): e["msg"] for e in exc.errors()}
        clean = {k: v for k, v in data.items() if k not in errors}
        return CustomerFilters.model_validate(clean), errors


def get_visible(request: HttpRequest, pk: int) -> Customer:
    try:
        return queries.customer_get(user=request.user, pk=pk)
    except Customer.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    filters, errors = parse_filters(request.GET)
    page = paginate_request(request, queries.customer_list(user=request.user, filters=filters))
    context = {
        "nav": "customers",
        "page": page,
        "customers": page.object_list,
        "filters": filters,
        "errors": errors,
        "stages": LifecycleStage.choices,
        "tiers": Tier.choices,
        "provinces": Province.choices,
        "industries": Industry.choices,
        "kinds": CustomerKind.choices,
        "owners": user_choices(),
        "tags": Tag.objects.all(),
    }
    template = (
        "customers/_customer_table.html"
        if request.htmx and not request.htmx.boosted
        else "customers/customer_list.html"
    )
    return render(request, template, context)


@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer 360: profile, contacts, interaction timeline, segments and history."""
    try:
        view = queries.customer_360(user=request.user, pk=pk)
    except Customer.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request,
        "customers/customer_detail.html",
        {"nav": "customers", "view": view, "customer": view.customer},
    )


@login_required
def customer_history(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_visible(request, pk)
    return render(request, "includes/history.html", {"records": object_history(customer)[:200]})


def _landing(request: HttpRequest, customer: Customer) -> HttpResponse:
    """The saved customer's page, or the list when the user just handed it to someone they cannot follow."""
    if queries.customer_visible(user=request.user, pk=customer.pk):
        return redirect("customers:detail", pk=customer.pk)
    return redirect("customers:list")


def _save_customer(request: HttpRequest, form: CustomerForm, customer: Customer | None) -> Customer | None:
    """Run the create or update service; on refusal, put the reasons on the form and return None."""
    kwargs = form.service_kwargs()
    try:
        if customer is None:
            return services.customer_create(
                actor=request.user,
                allow_duplicates=form.cleaned_data.get("allow_duplicates", False),
                **kwargs,
            )
        return services.customer_update(
            actor=request.user, customer=customer, version=form.cleaned_data["version"], **kwargs
        )
    except services.DuplicateCustomerError as exc:
        form.duplicates = exc.matches  # type: ignore[attr-defined]
        form.fields["allow_duplicates"].widget = form.fields["allow_duplicates"].hidden_widget()
        data = form.data.copy()
        data["allow_duplicates"] = "on"
        form.data = data
        form.add_error(None, exc.detail)
    except (ValidationError, ConflictError) as exc:
        add_service_error(form, exc)
    return None


@login_required
@permission_required("customers.add_customer", raise_exception=True)
def customer_create(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(request.POST or None, initial={"owner": request.user})
    if request.method == "POST" and form.is_valid():
        customer = _save_customer(request, form, None)
        if customer:
            messages.success(request, _("Customer %(code)s was created.") % {"code": customer.code})
            return _landing(request, customer)
    return render(request, "customers/customer_form.html", {"form": form, "nav": "customers"})


@login_required
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_visible(request, pk)
    if not request.user.has_perm("customers.change_customer"):
        raise PermissionDenied
    form = CustomerForm(request.POST or None, instance=customer)
    if request.method == "POST" and form.is_valid():
        saved = _save_customer(request, form, customer)
        if saved:
            messages.success(request, _("Your changes were saved."))
            return _landing(request, saved)
    return render(
        request, "customers/customer_form.html", {"form": form, "customer": customer, "nav": "customers"}
    )


@login_required
@require_POST
def customer_archive(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_visible(request, pk)
    if not request.user.has_perm("customers.change_customer"):
        raise PermissionDenied
    archived = request.POST.get("archived") == "1"
    services.customer_set_archived(actor=request.user, customer=customer, archived=archived)
    messages.success(
        request, _("The customer was archived.") if archived else _("The customer was restored.")
    )
    return redirect("customers:detail", pk=pk)


@login_required
def customer_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask first, saying what will be lost; delete on POST."""
    customer = get_visible(request, pk)
    if not request.user.has_perm("customers.delete_customer"):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.customer_delete(actor=request.user, customer=customer)
        except ConflictError as exc:
            messages.error(request, exc.detail)
            return redirect("customers:detail", pk=pk)
        messages.success(request, _("Customer %(code)s was deleted.") % {"code": customer.code})
        return redirect("customers:list")
    counts = queries.customer_delete_impact(customer=customer)
    return render(request, "customers/customer_confirm_delete.html", {"customer": customer, "counts": counts})
