"""Secure, streaming parsing of an MSPDI document into compact records.

Untrusted XML is parsed with ``defusedxml`` and refused before any harm: a file over
``max_bytes`` is refused before parsing starts; a document type declaration — the carrier of
entity-expansion ("billion laughs") and external-entity attacks, never needed by MSPDI — is
refused as soon as the parser meets it (entity declarations and external references are
forbidden as well, should a DTD ever get through), with
:class:`~clientpm.scheduling.mspdi.report.MspdiError`. The root must be ``Project`` in the MSPDI namespace (or in no namespace,
as some third-party writers produce).

The parse is streamed (``iterparse``): each ``Calendar``, ``Task``, ``Resource`` and
``Assignment`` becomes a small :class:`Record` (its simple children as text, its complex children
as nested records) and its XML element is freed at once, so memory stays proportional to the
data kept — timephased data, the bulk of large files, is only counted.
"""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Final
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException

from clientpm.scheduling.mspdi.model import MSPDI_NAMESPACE
from clientpm.scheduling.mspdi.report import MspdiError, MspdiErrorCode

__all__ = ["DEFAULT_MAX_BYTES", "Document", "Record", "Source", "parse_document"]

DEFAULT_MAX_BYTES: Final = 50 * 1024 * 1024
"""The default size limit: 50 MB, far above real plans (the largest test file is 0.6 MB)."""

Source = str | os.PathLike[str] | bytes | IO[bytes]
"""A path, the file's bytes, or a binary file object."""

SECTIONS: Final = {
    "Calendars": "Calendar",
    "Tasks": "Task",
    "Resources": "Resource",
    "Assignments": "Assignment",
}

# Repeated children whose content clientpm does not read: only their number is kept.
_COUNT_ONLY: Final = frozenset({"TimephasedData", "ExtendedAttribute", "OutlineCode"})


@dataclass(slots=True)
class Record:
    """An element reduced to data: simple children as text, complex children as records."""

    fields: dict[str, str] = field(default_factory=dict)
    groups: dict[str, list[Record]] = field(default_factory=dict)

    def text(self, name: str) -> str | None:
        """The text of child ``name`` (stripped), or ``None`` if absent."""
        return self.fields.get(name)

    def records(self, *path: str) -> list[Record]:
        """The records at ``path`` (e.g. ``records("WeekDays", "WeekDay")``), empty if none."""
        current = [self]
        for name in path:
            current = [child for record in current for child in record.groups.get(name, [])]
        return current


@dataclass(slots=True)
class Document:
    """A parsed MSPDI document: project-level fields, the four sections, and other containers."""

    namespace: str
    properties: Record
    calendars: list[Record] = field(default_factory=list)
    tasks: list[Record] = field(default_factory=list)
    resources: list[Record] = field(default_factory=list)
    assignments: list[Record] = field(default_factory=list)
    containers: dict[str, int] = field(default_factory=dict)
    """Project-level complex elements other than the four sections → number of children."""
    stray: dict[str, int] = field(default_factory=dict)
    """Unexpected children of the four sections (``"Tasks/Foo"``) → count."""

    def section(self, name: str) -> list[Record]:
        return {
            "Calendars": self.calendars,
            "Tasks": self.tasks,
            "Resources": self.resources,
            "Assignments": self.assignments,
        }[name]


@functools.lru_cache(maxsize=1024)  # a document uses a few hundred distinct tags, over and over
def _local(tag: str) -> tuple[str, str]:
    namespace, _, name = tag[1:].rpartition("}") if tag.startswith("{") else ("", "", tag)
    return namespace, name


def _compact(element: Element) -> Record:
    record = Record()
    for child in element:
        name = _local(child.tag)[1]
        if name in _COUNT_ONLY:
            record.groups.setdefault(name, []).append(Record())
        elif len(child):
            record.groups.setdefault(name, []).append(_compact(child))
        else:
            record.fields[name] = (child.text or "").strip()
    return record


def _open(source: Source, max_bytes: int) -> IO[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        size = len(source)
        stream: IO[bytes] = io.BytesIO(bytes(source))
    elif isinstance(source, str | os.PathLike):
        size = os.stat(source).st_size
        if size <= max_bytes:
            return open(source, "rb")  # closed by parse_document
        stream = io.BytesIO()
    else:
        data = source.read(max_bytes + 1)
        size = len(data)
        stream = io.BytesIO(data)
    if size > max_bytes:
        raise MspdiError(
            MspdiErrorCode.FILE_TOO_LARGE,
            f"The file is {size} bytes; the limit is {max_bytes} bytes.",
            size=size,
            limit=max_bytes,
        )
    return stream


def parse_document(source: Source, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Parse ``source`` securely into a :class:`Document` (``MspdiError`` if refused)."""
    stream = _open(source, max_bytes)
    try:
        return _parse(stream)
    except DefusedXmlException as error:  # the DTD check fires first; entities are refused too
        raise MspdiError(
            MspdiErrorCode.DTD_FORBIDDEN,
            "The file contains a document type declaration (DTD) or entity declarations; MSPDI "
            "files never need them, and they can carry entity-expansion ('billion laughs') or "
            "external-entity attacks, so the file is refused.",
            reason=type(error).__name__,
        ) from None
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise MspdiError(
            MspdiErrorCode.MALFORMED_XML,
            f"The file is not well-formed XML (line {line}, column {column}).",
            line=line,
            column=column,
        ) from None
    finally:
        stream.close()


def _parse(stream: IO[bytes]) -> Document:
    events: Iterable[tuple[str, Element]] = DefusedET.iterparse(
        stream, events=("start", "end"), forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    depth = 0
    tags: list[str] = []  # the raw tags of the open elements down to depth 3
    document: Document | None = None
    for event, element in events:
        if event == "start":
            depth += 1
            if depth == 1:
                document = _check_root(*_local(element.tag))
            if depth <= 3:
                tags.append(element.tag)
            continue
        assert document is not None  # the first event is the root's start
        if depth == 3:
            section = _local(tags[1])[1]
            if SECTIONS.get(section) == _local(element.tag)[1]:
                document.section(section).append(_compact(element))
                element.clear()
        elif depth == 2:
            _top_level(document, _local(element.tag)[1], element)
            element.clear()
        if depth <= 3:
            tags.pop()
        depth -= 1
    if document is None:  # pragma: no cover - expat raises on an empty document first
        raise MspdiError(MspdiErrorCode.MALFORMED_XML, "The file is empty.", line=0, column=0)
    return document


def _check_root(namespace: str, name: str) -> Document:
    if name != "Project" or (namespace and not namespace.startswith(MSPDI_NAMESPACE)):
        root = f"{{{namespace}}}{name}" if namespace else name
        raise MspdiError(
            MspdiErrorCode.NOT_MSPDI,
            f"This is not a Microsoft Project XML file: its root element is {root!r}, not 'Project'.",
            root=root,
        )
    return Document(namespace=namespace, properties=Record())


def _top_level(document: Document, name: str, element: Element) -> None:
    if name in SECTIONS:
        for child in element:  # section items were consumed; anything left is unexpected
            child_name = _local(child.tag)[1]
            if child_name != SECTIONS[name]:
                key = f"{name}/{child_name}"
                document.stray[key] = document.stray.get(key, 0) + 1
    elif len(element):
        document.containers[name] = document.containers.get(name, 0) + len(element)
    else:
        document.properties.fields[name] = (element.text or "").strip()
