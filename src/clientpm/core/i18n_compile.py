"""Compile every ``locale/*/LC_MESSAGES/django.po`` to ``.mo`` without GNU gettext.

The compiled catalogues are committed so a fresh clone serves Chinese without build tools;
``make messages`` re-extracts and recompiles, and a test fails when a ``.mo`` is out of date.
"""

from __future__ import annotations

from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def compile_all(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    written = []
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_all():
        print(f"compiled {path}")
