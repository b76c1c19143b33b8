"""Typed reads of MSPDI field text: a bad value is reported and replaced by its default.

Every reader takes the record, the field name, the element path for the report (``"Task"``) and
the owner's UID, so a message always says where the bad value was.
"""

from __future__ import annotations

from datetime import datetime, time

from clientpm.scheduling.mspdi.durations import parse_iso_duration
from clientpm.scheduling.mspdi.parsing import Record
from clientpm.scheduling.mspdi.report import ImportReport, ReportCode

__all__ = ["FieldReader"]

_TRUE = frozenset({"1", "true"})
_FALSE = frozenset({"0", "false"})


class FieldReader:
    """Reads typed values from records, reporting ``invalid_value`` for what cannot be read."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report

    def _invalid(self, element: str, name: str, uid: int | None, value: str) -> None:
        self.report.add(ReportCode.INVALID_VALUE, f"{element}/{name}", uid=uid, detail=value)

    def text(self, record: Record, name: str) -> str:
        """The field's text, ``""`` if absent."""
        return record.fields.get(name, "")

    def integer(self, record: Record, name: str, element: str, uid: int | None = None) -> int | None:
        """An integer (``"3.0"`` is accepted), ``None`` if absent or invalid."""
        value = record.fields.get(name)
        if not value:
            return None
        try:
            number = float(value)
            if not number.is_integer():
                raise ValueError(value)
        except (ValueError, OverflowError):
            self._invalid(element, name, uid, value)
            return None
        return int(number)

    def number(self, record: Record, name: str, element: str, uid: int | None = None) -> float | None:
        """A finite number, ``None`` if absent or invalid."""
        value = record.fields.get(name)
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if number != number or number in (float("inf"), float("-inf")):
            self._invalid(element, name, uid, value)
            return None
        return number

    def flag(self, record: Record, name: str, element: str, uid: int | None = None) -> bool | None:
        """``0``/``1``/``true``/``false``, ``None`` if absent or invalid."""
        value = record.fields.get(name)
        if not value:
            return None
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        self._invalid(element, name, uid, value)
        return None

    def timestamp(self, record: Record, name: str, element: str, uid: int | None = None) -> datetime | None:
        """A local date-time (a time zone, if any, is dropped: MSPDI times are project-local)."""
        value = record.fields.get(name)
        if not value:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self._invalid(element, name, uid, value)
            return None
        return parsed.replace(tzinfo=None, microsecond=0)

    def clock(self, record: Record, name: str, element: str, uid: int | None = None) -> time | None:
        """A time of day (``24:00:00`` is read as midnight)."""
        value = record.fields.get(name)
        if not value:
            return None
        if value.startswith("24:00"):
            return time(0)
        try:
            return time.fromisoformat(value).replace(tzinfo=None, microsecond=0)
        except ValueError:
            self._invalid(element, name, uid, value)
            return None

    def minutes(self, record: Record, name: str, element: str, uid: int | None = None) -> float | None:
        """An ISO-8601 duration in minutes; Y/M/W/D components are reported as ambiguous."""
        value = record.fields.get(name)
        if not value:
            return None
        try:
            parsed = parse_iso_duration(value)
        except ValueError:
            self._invalid(element, name, uid, value)
            return None
        if parsed.calendar_units:
            self.report.add(ReportCode.AMBIGUOUS_DURATION_UNITS, f"{element}/{name}", uid=uid, detail=value)
        return parsed.minutes
