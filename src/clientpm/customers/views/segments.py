"""Segment pages: the list with member counts, the detail page (rules and members), create (also
from the customer list's current filter), edit, delete, and static membership."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from clientpm.core.errors import ConflictError
from clientpm.core.paging import paginate_request
from clientpm.customers import queries, services
from clientpm.customers.forms import SegmentForm
from clientpm.customers.models import Segment, SegmentKind
from clientpm.customers.views.customers import get_visible, parse_filters


def get_visible_segment(request: HttpRequest, pk: int) -> Segment:
    try:
        return queries.segment_get(user=request.user, pk=pk)
    except Segment.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def segment_list(request: HttpRequest) -> HttpResponse:
    """Segments with the number of members the user may see (counted for the shown page only)."""
    q = request.GET.get("q", "").strip()[:100]
    page = paginate_request(request, queries.segment_list(user=request.user, q=q))
    segments = queries.segment_member_counts(user=request.user, segments=page.object_list)
    return render(
        request,
        "customers/segment_list.html",
        {"nav": "segments", "page": page, "segments": segments, "q": q},
    )


@login_required
def segment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A segment's rules in words and its members, paginated."""
    segment = get_visible_segment(request, pk)
    page = paginate_request(request, queries.segment_members(user=request.user, segment=segment))
    return render(
        request,
        "customers/segment_detail.html",
        {
            "nav": "segments",
            "segment": segment,
            "rules": queries.segment_rule_labels(segment.rules),
            "page": page,
            "members": page.object_list,
            "customer_list_query": urlencode({"segment": segment.pk}),
        },
    )


def _save_segment(request: HttpRequest, form: SegmentForm, segment: Segment | None) -> Segment | None:
    """Run the create or update service; on refusal, put the reasons on the form and return None."""
    try:
        if segment is None:
            return services.segment_create(actor=request.user, **form.service_kwargs())
        return services.segment_update(
            actor=request.user, segment=segment, version=form.cleaned_data["version"], **form.service_kwargs()
        )
    except (ValidationError, ConflictError) as exc:
        form.add_service_error(exc)
    return None


@login_required
@permission_required("customers.add_segment", raise_exception=True)
def segment_create(request: HttpRequest) -> HttpResponse:
    """A new segment; customer-list filters in the query string pre-fill the rules."""
    filters, _errors = parse_filters(request.GET)
    form = SegmentForm(
        request.POST or None,
        tag_names=queries.tag_names(),
        initial=SegmentForm.initial_from_rules(filters.as_rules()),
    )
    if request.method == "POST" and form.is_valid():
        segment = _save_segment(request, form, None)
        if segment:
            messages.success(request, _("Segment %(name)s was created.") % {"name": segment.name})
            return redirect("customers:segment-detail", pk=segment.pk)
    return render(request, "customers/segment_form.html", {"form": form, "nav": "segments"})


@login_required
@permission_required("customers.add_segment", raise_exception=True)
@require_POST
def segment_from_filter(request: HttpRequest) -> HttpResponse:
    """ "Save as segment" on the customer list: carry the posted filter to the new-segment form."""
    filters, _errors = parse_filters(request.POST)
    url = reverse("customers:segment-create") + "?" + urlencode(filters.as_rules(), doseq=True)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@login_required
def segment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_visible_segment(request, pk)
    if not request.user.has_perm("customers.change_segment"):
        raise PermissionDenied
    form = SegmentForm(request.POST or None, instance=segment, tag_names=queries.tag_names())
    if request.method == "POST" and form.is_valid():
        saved = _save_segment(request, form, segment)
        if saved:
            messages.success(request, _("Your changes were saved."))
            return redirect("customers:segment-detail", pk=saved.pk)
    return render(
        request, "customers/segment_form.html", {"form": form, "segment": segment, "nav": "segments"}
    )


@login_required
def segment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask first, saying what will be lost; delete on POST."""
    segment = get_visible_segment(request, pk)
    if not request.user.has_perm("customers.delete_segment"):
        raise PermissionDenied
    if request.method == "POST":
        services.segment_delete(actor=request.user, segment=segment)
        messages.success(request, _("Segment %(name)s was deleted.") % {"name": segment.name})
        return redirect("customers:segment-list")
    return render(
        request,
        "customers/confirm_delete.html",
        {
            "object": segment,
            "title": _("Delete segment"),
            "question": _("Delete the segment %(name)s?") % {"name": segment.name},
            "consequence": _(
                "Only the segment goes; its customers are not changed. The change log keeps a record."
            ),
            "cancel_url": reverse("customers:segment-detail", args=[segment.pk]),
            "nav": "segments",
        },
    )


@login_required
@require_POST
def segment_member_remove(request: HttpRequest, pk: int, customer_pk: int) -> HttpResponse:
    """Take one customer off a static segment (the button on the segment's member list)."""
    segment = get_visible_segment(request, pk)
    customer = get_visible(request, customer_pk)
    if not request.user.has_perm("customers.change_segment"):
        raise PermissionDenied
    try:
        services.segment_remove_members(actor=request.user, segment=segment, customers=[customer])
    except ConflictError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request, _("%(customer)s was removed from the segment.") % {"customer": customer.name}
        )
    if request.POST.get("return_to") == "customer":
        return redirect("customers:detail", pk=customer.pk)
    return redirect("customers:segment-detail", pk=pk)


@login_required
def segment_member_add(request: HttpRequest, customer_pk: int) -> HttpResponse:
    """From the customer 360: GET gives the picker of static segments, POST adds the customer."""
    customer = get_visible(request, customer_pk)
    if not request.user.has_perm("customers.change_segment"):
        raise PermissionDenied
    if request.method == "POST":
        try:
            segment = queries.segment_get(user=request.user, pk=int(request.POST.get("segment", "")))
            if segment.kind != SegmentKind.STATIC:
                raise ConflictError(_("Customers are added only to static segments."))
            services.segment_add_members(actor=request.user, segment=segment, customers=[customer])
        except (ValueError, Segment.DoesNotExist):
            messages.error(request, _("Choose a segment."))
        except ConflictError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("The customer was added to %(segment)s.") % {"segment": segment.name})
        return redirect("customers:detail", pk=customer.pk)
    return render(
        request,
        "customers/_segment_picker.html",
        {
            "customer": customer,
            "segments": queries.static_segment_choices(user=request.user, customer=customer),
        },
    )
