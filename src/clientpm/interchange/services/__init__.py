"""Writes of the interchange app: importing a Microsoft Project XML file (``imports``), with the
mapping of tasks and dependencies (``rows``) and of resources and assignments (``people``)."""

from clientpm.interchange.services.imports import import_max_bytes, plan_import, read_file

__all__ = ["import_max_bytes", "plan_import", "read_file"]
