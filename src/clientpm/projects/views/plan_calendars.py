"""The working calendars (工作日历) across projects: the list, and for administrators the pages that
add, change and delete a company calendar. The built-in calendars are read-only (403); a calendar
projects are scheduled on is not deleted (the confirmation says so before the button)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from clientpm.core.errors import ConflictError
from clientpm.core.forms import add_service_error
from clientpm.projects.forms.plan import CalendarForm
from clientpm.projects.models import WorkCalendar
from clientpm.projects.queries import plan as queries
from clientpm.projects.services import plan as services
from clientpm.projects.views.common import found
from clientpm.projects.views.plan import refusal_text

WEEKDAY_SHORT = [
    gettext_lazy("Mon"),
    gettext_lazy("Tue"),
    gettext_lazy("Wed"),
    gettext_lazy("Thu"),
    gettext_lazy("Fri"),
    gettext_lazy("Sat"),
    gettext_lazy("Sun"),
]


def _calendar_perm(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _calendar(request: HttpRequest, calendar_id: int, perm: str) -> WorkCalendar:
    """A company calendar for a change needing ``perm``; a built-in one is never changed (403)."""
    _calendar_perm(request, perm)
    calendar = found(queries.calendar_get, pk=calendar_id)
    if calendar.is_builtin:
        raise PermissionDenied
    return calendar


@login_required
@require_GET
def calendar_list(request: HttpRequest) -> HttpResponse:
    """The working calendars: the built-in China and Monday–Friday ones and the company's own."""
    _calendar_perm(request, "projects.view_workcalendar")
    calendars = list(queries.calendar_list())
    for calendar in calendars:
        calendar.weekday_flags = [
            (day, flag == "1") for day, flag in zip(WEEKDAY_SHORT, calendar.working_weekdays, strict=False)
        ]
    return render(request, "projects/plan/calendar_list.html", {"nav": "calendars", "calendars": calendars})


def _calendar_page(
    request: HttpRequest, form: CalendarForm, calendar: WorkCalendar | None = None
) -> HttpResponse:
    return render(
        request, "projects/plan/calendar_form.html", {"nav": "calendars", "form": form, "calendar": calendar}
    )


@login_required
@require_http_methods(["GET", "POST"])
def calendar_create(request: HttpRequest) -> HttpResponse:
    _calendar_perm(request, "projects.add_workcalendar")
    form = CalendarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            calendar = services.calendar_create(actor=request.user, **form.service_kwargs())
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Calendar %(name)s was created.") % {"name": calendar.name})
            return redirect("projects:calendars")
    return _calendar_page(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_edit(request: HttpRequest, calendar_id: int) -> HttpResponse:
    calendar = _calendar(request, calendar_id, "projects.change_workcalendar")
    form = CalendarForm(request.POST or None, calendar=calendar)
    if request.method == "POST" and form.is_valid():
        try:
            services.calendar_update(
                actor=request.user,
                calendar=calendar,
                version=form.cleaned_data["version"],
                **form.service_kwargs(),
            )
        except (ValidationError, ConflictError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Calendar %(name)s was saved.") % {"name": calendar.name})
            return redirect("projects:calendars")
    return _calendar_page(request, form, calendar)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_delete(request: HttpRequest, calendar_id: int) -> HttpResponse:
    calendar = _calendar(request, calendar_id, "projects.delete_workcalendar")
    if request.method == "POST":
        try:
            services.calendar_delete(actor=request.user, calendar=calendar)
        except (ValidationError, ConflictError) as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, _("Calendar %(name)s was deleted.") % {"name": calendar.name})
        return redirect("projects:calendars")
    return render(
        request,
        "projects/plan/calendar_confirm_delete.html",
        {"nav": "calendars", "calendar": calendar, "cancel_url": reverse("projects:calendars")},
    )
