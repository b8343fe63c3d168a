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
