"""Field validators for Chinese business identifiers and phone numbers."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: the unified social credit code (统一社会信用代码) uses these 31 characters.
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def credit_code_check_digit(first17: str) -> str:
    """The 18th character of a credit code whose first 17 characters are given (GB 32100-2015 §4)."""
    total = sum(_CREDIT_ALPHABET.index(ch) * w for ch, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = value.strip().upper()
    if len(code) != 18:
        raise ValidationError(_("A unified social credit code has exactly 18 characters."), code="length")
    if not _CREDIT_SHAPE.match(code):
        raise ValidationError(
            _("A unified social credit code uses digits and capital letters except I, O, S, V and Z."),
            code="alphabet",
        )
    if credit_code_check_digit(code[:17]) != code[17]:
        raise ValidationError(
            _("The check digit of this unified social credit code is wrong; please check for a typo."),
            code="check_digit",
        )


_PHONE = re.compile(r"^\+?[0-9][0-9\- ]{5,19}$")
_MOBILE_CN = re.compile(r"^(\+?86)?1[3-9]\d{9}$")


def validate_phone(value: str) -> None:
    """Accept a Chinese mobile number, a landline like 021-12345678, or an international number."""
    compact = re.sub(r"[\s\-]", "", value)
    if _MOBILE_CN.match(compact):
        return
    digits = len(re.sub(r"\D", "", compact))
    # Separators alone do not make a number: 6 digits (short landline) to 15 (E.164). Without a
    # "+", a number starting with 1 can only be a mobile (landlines start with 0), so it is a typo.
    if not _PHONE.match(value.strip()) or not 6 <= digits <= 15 or compact.startswith("1"):
        raise ValidationError(
            _("Enter a phone number such as 13812345678, 021-12345678 or +44 20 7946 0000."), code="phone"
        )


def normalize_phone(value: str) -> str:
    """Digits only, without a +86 prefix, so the same number written two ways compares equal."""
    digits = re.sub(r"\D", "", value)
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits
