"""Microsoft Project XML (MSPDI) interchange: read a file into plain data, write plain data as MSPDI.

Framework-free like the rest of the engine: :func:`read_mspdi` returns an
:class:`~clientpm.scheduling.mspdi.model.MspdiProject` (project properties, calendars, tasks with
their outline, links, resources, assignments, baselines) and an
:class:`~clientpm.scheduling.mspdi.report.ImportReport` of everything that was approximated or
could not be carried over, as message codes for the Django layer to translate;
:func:`write_mspdi` writes an ``MspdiProject`` as MSPDI that Microsoft Project and MPXJ read.

Modules: :mod:`~.model` (the dataclasses and code tables), :mod:`~.reader`, :mod:`~.writer`,
:mod:`~.report` (codes), :mod:`~.durations` (ISO-8601 durations, lag units),
:mod:`~.recurrence` (recurring calendar exceptions), :mod:`~.calendars`, :mod:`~.tasks`,
:mod:`~.parsing` (secure streaming XML), :mod:`~.fields` (which elements are read or ignored).
"""

from clientpm.scheduling.mspdi.model import (
    Baseline,
    CalendarException,
    MspdiAssignment,
    MspdiCalendar,
    MspdiImport,
    MspdiLink,
    MspdiProject,
    MspdiResource,
    MspdiTask,
    ProjectInfo,
    ResourceKind,
)
from clientpm.scheduling.mspdi.reader import DEFAULT_MAX_BYTES, read_mspdi
from clientpm.scheduling.mspdi.report import (
    ImportReport,
    MspdiError,
    MspdiErrorCode,
    ReportCode,
    ReportItem,
    Severity,
)
from clientpm.scheduling.mspdi.writer import mspdi_bytes, write_mspdi

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Baseline",
    "CalendarException",
    "ImportReport",
    "MspdiAssignment",
    "MspdiCalendar",
    "MspdiError",
    "MspdiErrorCode",
    "MspdiImport",
    "MspdiLink",
    "MspdiProject",
    "MspdiResource",
    "MspdiTask",
    "ProjectInfo",
    "ReportCode",
    "ReportItem",
    "ResourceKind",
    "Severity",
    "mspdi_bytes",
    "read_mspdi",
    "write_mspdi",
]
