"""Name normalisation for duplicate detection: the same company written two ways compares equal."""

from __future__ import annotations

import re
import unicodedata

# Legal-form suffixes that people add or drop when typing a company name.
_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团公司",
    "集团",
    "公司",
    "co ltd",
    "company limited",
    "limited",
    "ltd",
    "inc",
    "corporation",
    "corp",
    "llc",
    "gmbh",
    "co",
)
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def normalize_name(name: str) -> str:
    """Fold width and case, drop punctuation, brackets and a trailing legal form.

    >>> normalize_name("上海（浦东）示例科技有限公司") == normalize_name("上海(浦东)示例科技")
    True
    >>> normalize_name("Acme Co., Ltd.")
    'acme'
    """
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    text = _PUNCT.sub(" ", text).strip()
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            # Latin legal forms only count as whole words ("Costco" keeps its "co").
            tail = suffix if not suffix.isascii() else " " + suffix
            if text.endswith(tail) and len(text) > len(tail):
                text = text[: -len(tail)].strip()
                changed = True
    return text.replace(" ", "")
