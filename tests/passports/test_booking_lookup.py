"""Finding the application to book delivery for: billing code plus date of birth."""

import datetime as dt

import pytest

from core.exceptions import InvalidTransition, NotFound, ValidationFailed
from passports import services
from tests.factories import make_order, make_paid_application

pytestmark = pytest.mark.django_db

BORN = dt.date(1990, 5, 17)


def test_the_right_code_and_birth_date_find_the_application(ref):
    application = make_paid_application(ref, birth_date=BORN)
    found = services.application_find_for_booking(
        client="192.0.2.1",
        billing_code=" " + application.billing_code.code + " ",
        birth_date=BORN,
        require_paid=True,
    )
    assert found == application


def test_a_wrong_birth_date_answers_like_an_unknown_code(ref):
    application = make_paid_application(ref, birth_date=BORN)
    with pytest.raises(NotFound) as wrong_birth:
        services.application_find_for_booking(
            client="192.0.2.1", billing_code=application.billing_code.code, birth_date=dt.date(1990, 5, 18)
        )
    with pytest.raises(NotFound) as unknown:
        services.application_find_for_booking(client="192.0.2.1", billing_code="9" * 15, birth_date=BORN)
    assert str(wrong_birth.value) == str(unknown.value)


def test_a_malformed_code_is_refused_with_a_field_message(ref):
    with pytest.raises(ValidationFailed) as error:
        services.application_find_for_booking(client="192.0.2.1", billing_code="12345", birth_date=BORN)
    assert "billing_code" in error.value.fields


def test_an_already_booked_passport_is_refused(ref):
    order = make_order(ref, birth_date=BORN)
    with pytest.raises(InvalidTransition) as error:
        services.application_find_for_booking(
            client="192.0.2.1", billing_code=order.application.billing_code.code, birth_date=BORN
        )
    assert error.value.code == "already_booked"
