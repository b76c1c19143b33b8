"""Project template pages: the template list, "save as template" from a project, delete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientpm.core.forms import add_service_error
from clientpm.projects.forms.projects import TemplateSaveForm
from clientpm.projects.queries.templates import template_list
from clientpm.projects.services.templates import project_template_delete, project_template_save
from clientpm.projects.views.common import project_for


@login_required
@permission_required("projects.view_projecttemplate", raise_exception=True)
def templates(request: HttpRequest) -> HttpResponse:
    return render(request, "projects/template_list.html", {"nav": "templates", "templates": template_list()})


@login_required
def template_save(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, "projects.add_projecttemplate")
    form = TemplateSaveForm(request.POST or None, initial={"name": project.name})
    if request.method == "POST" and form.is_valid():
        try:
            template = project_template_save(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Template “%(name)s” saved.") % {"name": template.name})
            return redirect("projects:templates")
    return render(
        request, "projects/template_form.html", {"nav": "templates", "form": form, "project": project}
    )


@login_required
@require_POST
@permission_required("projects.delete_projecttemplate", raise_exception=True)
def template_delete(request: HttpRequest, template_id: int) -> HttpResponse:
    template = get_object_or_404(template_list(), pk=template_id)
    project_template_delete(actor=request.user, template=template)
    messages.success(request, _("Template “%(name)s” deleted.") % {"name": template.name})
    return redirect("projects:templates")
