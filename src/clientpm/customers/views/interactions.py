"""Interaction pages: the list, logging one (globally or from the customer 360), edit, delete, and
"my follow-ups" with its HTMX "done" button."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from pydantic import ValidationError as SchemaError

from clientpm.accounts.queries import user_choices
from clientpm.core.errors import ConflictError
from clientpm.core.forms import add_service_error
from clientpm.core.paging import paginate_request
from clientpm.customers import queries, services
from clientpm.customers.filters import InteractionFilters
from clientpm.customers.forms import InteractionForm
from clientpm.customers.models import Customer, Interaction, InteractionKind
from clientpm.customers.views.customers import get_visible

LIST_FIELDS = ("kind",)


def parse_interaction_filters(params: QueryDict) -> tuple[InteractionFilters, dict[str, str]]:
    """Filters from a query string; invalid ones are reported per field and dropped, never a 500."""
    data: dict[str, Any] = {
        k: v for k, v in params.items() if v and k not in LIST_FIELDS and k not in ("page", "page_size")
    }
    data.update({k: [v for v in params.getlist(k) if v] for k in LIST_FIELDS if params.getlist(k)})
    try:
        return InteractionFilters.model_validate(data), {}
    except SchemaError as exc:
        errors = {str(e["loc"][0]): e["msg"] for e in exc.errors()}
        return InteractionFilters.model_validate({k: v for k, v in data.items() if k not in errors}), errors


def get_visible_interaction(request: HttpRequest, pk: int) -> Interaction:
    try:
        return queries.interaction_get(user=request.user, pk=pk)
    except Interaction.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def interaction_list(request: HttpRequest) -> HttpResponse:
    filters, errors = parse_interaction_filters(request.GET)
    page = paginate_request(request, queries.interaction_list(user=request.user, filters=filters))
    context = {
        "nav": "interactions",
        "page": page,
        "interactions": page.object_list,
        "filters": filters,
        "errors": errors,
        "kinds": InteractionKind.choices,
        "owners": user_choices(),
        "today": timezone.localdate(),
    }
    template = (
        "customers/_interaction_table.html"
        if request.htmx and not request.htmx.boosted
        else "customers/interaction_list.html"
    )
    return render(request, template, context)


def _save_interaction(
    request: HttpRequest, form: InteractionForm, customer: Customer | None, interaction: Interaction | None
) -> Interaction | None:
    """Run the create or update service; on refusal, put the reasons on the form and return None."""
    kwargs = form.service_kwargs()
    try:
        if interaction is None:
            return services.interaction_create(
                actor=request.user, customer=customer or form.cleaned_data["customer"], **kwargs
            )
        return services.interaction_update(
            actor=request.user, interaction=interaction, version=form.cleaned_data["version"], **kwargs
        )
    except (ValidationError, ConflictError) as exc:
        add_service_error(form, exc)
    return None


@login_required
@permission_required("customers.add_interaction", raise_exception=True)
def interaction_create(request: HttpRequest, customer_pk: int | None = None) -> HttpResponse:
    """Log an interaction: with the customer in the URL (its contacts offered) or one picked in the form."""
    customer = get_visible(request, customer_pk) if customer_pk is not None else None
    form = InteractionForm(
        request.POST or None,
        customers=None if customer else queries.customer_choices(user=request.user),
        contacts=queries.contact_choices(user=request.user, customer=customer),
        initial={"occurred_at": timezone.localtime().replace(second=0, microsecond=0), "owner": request.user},
    )
    if request.method == "POST" and form.is_valid():
        interaction = _save_interaction(request, form, customer, None)
        if interaction:
            messages.success(request, _("The interaction was logged."))
            return redirect("customers:detail", pk=interaction.customer_id)
    return render(
        request,
        "customers/interaction_form.html",
        {"form": form, "customer": customer, "nav": "interactions"},
    )


@login_required
def interaction_edit(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = get_visible_interaction(request, pk)
    if not request.user.has_perm("customers.change_interaction"):
        raise PermissionDenied
    form = InteractionForm(
        request.POST or None,
        instance=interaction,
        contacts=queries.contact_choices(user=request.user, customer=interaction.customer),
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_interaction(request, form, None, interaction)
        if saved:
            messages.success(request, _("Your changes were saved."))
            return redirect("customers:detail", pk=saved.customer_id)
    return render(
        request,
        "customers/interaction_form.html",
        {"form": form, "interaction": interaction, "customer": interaction.customer, "nav": "interactions"},
    )


@login_required
def interaction_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask first, saying what will be lost; delete on POST."""
    interaction = get_visible_interaction(request, pk)
    if not request.user.has_perm("customers.delete_interaction"):
        raise PermissionDenied
    if request.method == "POST":
        services.interaction_delete(actor=request.user, interaction=interaction)
        messages.success(request, _("The interaction was deleted."))
        return redirect("customers:detail", pk=interaction.customer_id)
    return render(
        request,
        "customers/confirm_delete.html",
        {
            "object": interaction,
            "title": _("Delete interaction"),
            "question": _("Delete the %(kind)s with %(customer)s on %(date)s?")
            % {
                "kind": interaction.get_kind_display(),
                "customer": interaction.customer.name,
                "date": timezone.localtime(interaction.occurred_at).strftime("%Y-%m-%d %H:%M"),
            },
            "consequence": _("Its summary, outcome and follow-up are lost; the change log keeps a record."),
            "cancel_url": reverse("customers:detail", args=[interaction.customer_id]),
            "customer": interaction.customer,
            "nav": "interactions",
        },
    )


@login_required
@require_POST
def interaction_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a follow-up done; HTMX gets the updated row back, a plain form post goes back to the list."""
    interaction = get_visible_interaction(request, pk)
    if not request.user.has_perm("customers.change_interaction"):
        raise PermissionDenied
    try:
        services.interaction_complete_follow_up(actor=request.user, interaction=interaction)
    except ConflictError as exc:
        if request.htmx:
            return HttpResponse(exc.detail, status=409)
        messages.error(request, exc.detail)
        return redirect("customers:my-follow-ups")
    if request.htmx:
        done = queries.interaction_get(user=request.user, pk=pk)
        return render(request, "customers/_follow_up_row.html", {"i": done, "today": timezone.localdate()})
    messages.success(request, _("The follow-up was marked done."))
    return redirect("customers:my-follow-ups")


@login_required
def my_follow_ups(request: HttpRequest) -> HttpResponse:
    """The user's open follow-ups, overdue first."""
    page = paginate_request(request, queries.follow_up_list(user=request.user))
    return render(
        request,
        "customers/follow_up_list.html",
        {"nav": "follow-ups", "page": page, "interactions": page.object_list, "today": timezone.localdate()},
    )
