"""Reads of project templates (shared by every user; they hold no customer data)."""

from __future__ import annotations

from django.db.models import QuerySet

from clientpm.projects.models import ProjectTemplate


def template_list() -> QuerySet[ProjectTemplate]:
    return ProjectTemplate.objects.select_related("created_by", "source_project").order_by("name")
