import pytest
from django.core.management import call_command

from delivery.models import Batch, Problem, VanStandby
from passports.models import BillingCode

pytestmark = pytest.mark.django_db


def test_the_demo_has_counter_data_and_running_it_twice_adds_nothing():
    call_command("seed_demo")
    counts = (
        Batch.objects.count(),
        VanStandby.objects.count(),
        BillingCode.objects.count(),
        Problem.objects.count(),
    )
    assert Batch.objects.filter(status="in_handover", items__order__code="APDEMO09").exists()
    assert BillingCode.objects.filter(
        application__applicant__full_name="Muhammad Akbar (demo)", status="issued"
    ).exists()
    assert VanStandby.objects.count() >= 4
    assert Problem.objects.filter(order__code="APDEMO05", kind="late").exists()

    call_command("seed_demo")
    assert (
        Batch.objects.count(),
        VanStandby.objects.count(),
        BillingCode.objects.count(),
        Problem.objects.count(),
    ) == counts


def test_every_demo_passport_marked_ready_carries_a_plausible_number():
    import re

    from delivery.models import DeliveryOrder

    call_command("seed_demo")
    printed = DeliveryOrder.objects.filter(events__to_status="passport_ready").distinct()
    assert printed.count() >= 10
    numbers = list(printed.values_list("passport_number", flat=True))
    assert all(re.fullmatch(r"[A-Z]{1,2}[0-9]{7}", n) for n in numbers), numbers
    assert len(set(numbers)) == len(numbers)
