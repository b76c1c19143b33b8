"""The Chinese catalogue is complete, has no fuzzy entries, and its compiled .mo is current."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "src" / "clientpm" / "locale" / "zh_Hans" / "LC_MESSAGES"
PO = LOCALE / "django.po"


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(PO))


def test_every_message_is_translated(catalogue):
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    assert untranslated == []


def test_no_fuzzy_messages(catalogue):
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []


def test_compiled_catalogue_matches_source(catalogue):
    compiled = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in polib.mofile(str(PO.with_suffix(".mo")))
    }
    source = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in catalogue.translated_entries()
    }
    assert compiled == source, "run `make messages` to recompile the catalogue"


def test_placeholders_survive_translation(catalogue):
    """A translation that drops or renames a %(name)s or {{ var }} placeholder would break at runtime."""
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{\s*\w+\s*\}\}")
    broken = []
    for entry in catalogue.translated_entries():
        targets = [entry.msgstr] if entry.msgstr else list(entry.msgstr_plural.values())
        for target in targets:
            if sorted(pattern.findall(entry.msgid)) != sorted(pattern.findall(target)):
                broken.append(entry.msgid)
    assert broken == []


def test_interface_speaks_chinese():
    with translation.override("zh-hans"):
        assert translation.gettext("Customers") == "客户"
        assert translation.gettext("Key account") == "大客户"
