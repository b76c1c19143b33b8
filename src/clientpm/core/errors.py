"""Domain errors that services raise and every interface turns into the same response.

Bad input is Django's ``ValidationError`` (field → messages), so model ``clean()``, forms and
services speak one language. The two extra kinds here are for refusals that are not about one
field: a stale version and a forbidden state transition (HTTP 409, with every reason listed).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _


class ConflictError(Exception):
    """The write cannot happen in the current state; ``reasons`` says why, one line each."""

    def __init__(self, detail: str, reasons: Sequence[str] = ()) -> None:
        super().__init__(detail)
        self.detail = str(detail)
        self.reasons = [str(r) for r in reasons]


class StaleVersionError(ConflictError):
    """Someone saved the row after the caller read it; the caller must reload and retry."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            str(_("This record was changed by someone else. Reload it and apply your change again.")),
            [],
        )
        self.current_version = current_version
