"""Field validators and name normalisation: credit codes (GB 32100-2015), phones, company names."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from clientpm.customers.normalize import normalize_name
from clientpm.customers.validators import (
    credit_code_check_digit,
    normalize_phone,
    validate_credit_code,
    validate_phone,
)

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH_MSG = "A unified social credit code has exactly 18 characters."
ALPHABET_MSG = "A unified social credit code uses digits and capital letters except I, O, S, V and Z."
CHECK_MSG = "The check digit of this unified social credit code is wrong; please check for a typo."
PHONE_MSG = "Enter a phone number such as 13812345678, 021-12345678 or +44 20 7946 0000."


def messages_of(validator, value: str) -> list[str]:
    with pytest.raises(ValidationError) as info:
        validator(value)
    return info.value.messages


# --- unified social credit code -------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # published example of GB 32100-2015
        "91110000802100433B",
        "91350100m000100y43",  # typed in lower case; the service stores it upper-cased
        " 91350100M000100Y43 ",
    ],
)
def test_valid_credit_codes_pass(code):
    validate_credit_code(code)


def test_check_digit_of_the_standard_example_by_hand():
    # 9 1 3 5 0 1 0 0 M(21) 0 0 0 1 0 0 Y(30) 4 weighted by 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28:
    # 9+3+27+135+0+26+0+0+420+0+0+0+8+0+0+900+112 = 1640; 1640 mod 31 = 28; 31-28 = 3.
    assert credit_code_check_digit("91350100M000100Y4") == "3"


def test_check_digit_wraps_31_to_zero():
    # all zeros: total 0, (31 - 0) % 31 = 0 -> "0" (not an index error).
    assert credit_code_check_digit("0" * 17) == "0"


@pytest.mark.parametrize("code", ["", "91350100M000100Y4", "91350100M000100Y433", "9135 0100M000100Y43"])
def test_credit_code_wrong_length(code):
    assert messages_of(validate_credit_code, code) == [LENGTH_MSG]


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_credit_code_forbidden_letters(letter):
    code = "91350100M000100" + letter + "43"
    assert messages_of(validate_credit_code, code) == [ALPHABET_MSG]


def test_credit_code_region_part_must_be_digits():
    # characters 3-8 are the GB/T 2260 region code; a letter there is not a credit code.
    prefix = "91A50100M000100Y4"
    assert messages_of(validate_credit_code, prefix + credit_code_check_digit(prefix)) == [ALPHABET_MSG]


def test_credit_code_punctuation_refused():
    assert messages_of(validate_credit_code, "91350100M000100-43") == [ALPHABET_MSG]


@pytest.mark.parametrize("last", ["0", "4", "Y", "A"])
def test_credit_code_wrong_check_digit(last):
    assert messages_of(validate_credit_code, "91350100M000100Y4" + last) == [CHECK_MSG]


def test_credit_code_one_typo_is_caught():
    # a typo in the body (M -> N) is caught by the check digit
    assert messages_of(validate_credit_code, "91350100N000100Y43") == [CHECK_MSG]


# GB 32100-2015: char 1-2 from the alphabet, 3-8 digits (region), 9-17 from the alphabet.
alpha = st.sampled_from(ALPHABET)
digit = st.sampled_from("0123456789")
prefixes = st.tuples(
    st.text(alpha, min_size=2, max_size=2),
    st.text(digit, min_size=6, max_size=6),
    st.text(alpha, min_size=9, max_size=9),
).map("".join)


@given(prefix=prefixes, other=alpha)
def test_check_digit_property(prefix, other):
    check = credit_code_check_digit(prefix)
    assert check in ALPHABET
    validate_credit_code(prefix + check)
    validate_credit_code((prefix + check).lower())
    if other != check:
        with pytest.raises(ValidationError) as info:
            validate_credit_code(prefix + other)
        assert info.value.messages == [CHECK_MSG]


@given(prefix=prefixes, position=st.integers(0, 16), replacement=alpha)
def test_any_single_substitution_is_detected(prefix, position, replacement):
    """Mod-31 with weights coprime to 31: changing one character always changes the check digit."""
    if prefix[position] == replacement or (2 <= position < 8 and not replacement.isdigit()):
        return
    changed = prefix[:position] + replacement + prefix[position + 1 :]
    with pytest.raises(ValidationError):
        validate_credit_code(changed + credit_code_check_digit(prefix))


# --- phones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+8613812345678",
        "+86 138 1234 5678",
        "8613812345678",
        "021-12345678",
        "0755-1234567",
        "01012345678",
        "400-820-8820",
        "+44 20 7946 0000",
        "+1 415 555 0100",
    ],
)
def test_valid_phones(phone):
    validate_phone(phone)


@pytest.mark.parametrize(
    "phone",
    [
        "abc",
        "phone: 13812345678",
        "12345678901",  # 11 digits starting with 1 but not a mobile prefix
        "1381234567",  # a mobile with a digit missing... is 10 digits starting with 1
        "138123456789",  # one digit too many for a mobile
        "0---------",  # separators are not digits
        "1-2-3-4-5",
        "+",
        "12345",
        "+86 138 1234 567a",
        "(021) 12345678",
        "1234567890123456789",  # longer than E.164 allows
        "",
    ],
)
def test_invalid_phones(phone):
    assert messages_of(validate_phone, phone) == [PHONE_MSG]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+86 138-1234-5678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("021-12345678", "02112345678"),
        ("+44 20 7946 0000", "442079460000"),
    ],
)
def test_normalize_phone(raw, expected):
    assert normalize_phone(raw) == expected


# --- company names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("上海（浦东）示例科技有限公司", "上海浦东示例科技"),
        ("上海(浦东)示例科技", "上海浦东示例科技"),
        ("示例科技股份有限公司", "示例科技"),
        ("示例科技有限责任公司", "示例科技"),
        ("示例集团有限公司", "示例"),
        ("Acme Co., Ltd.", "acme"),
        ("ACME LIMITED", "acme"),
        ("acme inc", "acme"),
        ("Ａｃｍｅ Corporation", "acme"),  # full-width letters fold to ASCII
        ("Acme GmbH", "acme"),
        ("Costco", "costco"),  # "co" only counts as a separate word
        ("Costco Wholesale Co", "costcowholesale"),
        ("Big Co", "big"),
        ("  Hello   World  ", "helloworld"),
        ("公司", "公司"),  # a bare legal form is kept rather than emptied
    ],
)
def test_normalize_name(name, expected):
    assert normalize_name(name) == expected


def test_normalize_name_makes_variants_equal():
    variants = ["深圳示例科技有限公司", "深圳示例科技", "深圳 示例 科技 公司", "深圳示例科技（有限公司）"]
    assert {normalize_name(v) for v in variants} == {"深圳示例科技"}
