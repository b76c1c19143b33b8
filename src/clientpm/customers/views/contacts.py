"""Contact pages: the list of every contact the user may see, create (globally or from the customer
360), edit and delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from pydantic import ValidationError as SchemaError

from clientpm.core.errors import ConflictError
from clientpm.core.forms import add_service_error
from clientpm.core.paging import paginate_request
from clientpm.customers import queries, services
from clientpm.customers.filters import ContactFilters
from clientpm.customers.forms import ContactForm
from clientpm.customers.models import BuyingRole, Contact, Customer
from clientpm.customers.views.customers import get_visible


def parse_contact_filters(params: QueryDict) -> tuple[ContactFilters, dict[str, str]]:
    """Filters from a query string; invalid ones are reported per field and dropped, never a 500."""
    data: dict[str, Any] = {k: v for k, v in params.items() if v and k not in ("page", "page_size")}
    try:
        return ContactFilters.model_validate(data), {}
    except SchemaError as exc:
        errors = {str(e["loc"][0]): e["msg"] for e in exc.errors()}
        return ContactFilters.model_validate({k: v for k, v in data.items() if k not in errors}), errors


def get_visible_contact(request: HttpRequest, pk: int) -> Contact:
    try:
        return queries.contact_get(user=request.user, pk=pk)
    except Contact.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def contact_list(request: HttpRequest) -> HttpResponse:
    filters, errors = parse_contact_filters(request.GET)
    page = paginate_request(request, queries.contact_list(user=request.user, filters=filters))
    context = {
        "nav": "contacts",
        "page": page,
        "contacts": page.object_list,
        "filters": filters,
        "errors": errors,
        "buying_roles": BuyingRole.choices,
    }
    template = (
        "customers/_contact_table.html"
        if request.htmx and not request.htmx.boosted
        else "customers/contact_list.html"
    )
    return render(request, template, context)


def _save_contact(
    request: HttpRequest, form: ContactForm, customer: Customer | None, contact: Contact | None
) -> Contact | None:
    """Run the create or update service; on refusal, put the reasons on the form and return None."""
    kwargs = form.service_kwargs()
    try:
        if contact is None:
            return services.contact_create(
                actor=request.user,
                customer=customer or form.cleaned_data["customer"],
                allow_duplicates=form.cleaned_data.get("allow_duplicates", False),
                **kwargs,
            )
        return services.contact_update(
            actor=request.user, contact=contact, version=form.cleaned_data["version"], **kwargs
        )
    except services.DuplicateContactError as exc:
        form.offer_duplicates(exc)
    except (ValidationError, ConflictError) as exc:
        add_service_error(form, exc)
    return None


@login_required
@permission_required("customers.add_contact", raise_exception=True)
def contact_create(request: HttpRequest, customer_pk: int | None = None) -> HttpResponse:
    """A new contact: for the customer in the URL (from its 360 page) or for one picked in the form."""
    customer = get_visible(request, customer_pk) if customer_pk is not None else None
    customers = None if customer else queries.customer_choices(user=request.user)
    initial = {"customer": request.GET.get("customer")} if customer is None else {}
    form = ContactForm(request.POST or None, customers=customers, initial=initial)
    if request.method == "POST" and form.is_valid():
        contact = _save_contact(request, form, customer, None)
        if contact:
            messages.success(request, _("Contact %(name)s was added.") % {"name": contact.name})
            return redirect("customers:detail", pk=contact.customer_id)
    return render(
        request, "customers/contact_form.html", {"form": form, "customer": customer, "nav": "contacts"}
    )


@login_required
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_visible_contact(request, pk)
    if not request.user.has_perm("customers.change_contact"):
        raise PermissionDenied
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        saved = _save_contact(request, form, None, contact)
        if saved:
            messages.success(request, _("Your changes were saved."))
            return redirect("customers:detail", pk=saved.customer_id)
    return render(
        request,
        "customers/contact_form.html",
        {"form": form, "contact": contact, "customer": contact.customer, "nav": "contacts"},
    )


@login_required
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask first, saying what will be lost; delete on POST."""
    contact = get_visible_contact(request, pk)
    if not request.user.has_perm("customers.delete_contact"):
        raise PermissionDenied
    if request.method == "POST":
        services.contact_delete(actor=request.user, contact=contact)
        messages.success(request, _("Contact %(name)s was deleted.") % {"name": contact.name})
        return redirect("customers:detail", pk=contact.customer_id)
    return render(
        request,
        "customers/confirm_delete.html",
        {
            "object": contact,
            "title": _("Delete contact"),
            "question": _("Delete the contact %(name)s of %(customer)s?")
            % {"name": contact.name, "customer": contact.customer.name},
            "consequence": _(
                "Interactions that mention this contact are kept without it. The change log keeps a record."
            ),
            "cancel_url": reverse("customers:detail", args=[contact.customer_id]),
            "customer": contact.customer,
            "nav": "contacts",
        },
    )
