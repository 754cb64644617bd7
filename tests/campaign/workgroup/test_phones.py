"""Phone numbers of the groups' people: Chinese mobiles and landlines with an area code."""

import pytest
from django.core.exceptions import ValidationError

from campaign.workgroup.phones import validate_phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13912345678", "13912345678"),
        ("139 1234 5678", "13912345678"),
        ("+86 139 1234 5678", "13912345678"),
        ("0513-85123456", "0513-85123456"),
        ("0513－85123456", "0513-85123456"),
        ("051385123456", "051385123456"),
        ("010-62345678", "010-62345678"),
        ("0513-8512345", "0513-8512345"),
        ("0513-85123456-802", "0513-85123456-802"),
    ],
)
def test_accepted_numbers_are_stored_normalised(typed, stored):
    assert validate_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "12345678",
        "85123456",
        "1391234567",
        "139123456789",
        "23912345678",
        "0513-0512345",
        "电话13912345678",
        "13912345678'; --",
        "0513-85123456-1234567",
    ],
)
def test_refused_numbers_say_what_to_enter(typed):
    with pytest.raises(ValidationError) as error:
        validate_phone(typed)
    assert "0513-85123456" in error.value.messages[0]
