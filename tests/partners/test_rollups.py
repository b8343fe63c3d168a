"""The dashboard's monthly roll-up: the figures are the same whether the roll-up ran or not, and every
event is counted exactly once however often it runs."""

import datetime as dt

import pytest
from django.db.models import Sum
from django.utils import timezone

from delivery.choices import DeliveryStatus as S
from delivery.models import DeliveryEvent
from partners import selectors
from partners.models import EventMonthFigure, FigureRollupMark
from partners.tasks import roll_up_figures
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def this_month() -> selectors.Period:
    today = timezone.localdate()
    first = dt.date(today.year, today.month, 1)
    return selectors.Period(start=first, end=first)


def figures(area=None):
    board = selectors.dashboard(period=this_month(), area=area)
    return (
        [(r.year, r.month, r.booked, r.delivered) for year in board.uptake for r in year.rows],
        [(leg.key, leg.done, leg.on_time) for leg in board.compliance],
        [(reason, n) for reason, _label, n in board.failed],
        [(c.name, c.delivered, c.failed) for c in board.couriers],
    )


def test_the_dashboard_reads_the_same_before_and_after_the_roll_up(ref):
    make_order(ref, S.DELIVERED)
    make_order(ref, S.FAILED_ATTEMPT, area="maros")
    make_order(ref, S.WITH_DELIVERY_SECTION)
    before = figures()
    assert before[0][-1][2:] == (3, 1)  # booked, delivered this month
    assert ("not_at_home", 1) in before[2]

    assert roll_up_figures() == 0  # the first run only notes how far the events go
    assert figures() == before
    counted = roll_up_figures()
    assert counted == DeliveryEvent.objects.count() > 10
    assert EventMonthFigure.objects.exists()
    assert figures() == before
    assert figures(area=ref["areas"]["maros"]) == figures(area=ref["areas"]["maros"])

    # New events after the roll-up are read live until the next runs count them.
    make_order(ref, S.DELIVERED)
    after = figures()
    assert after[0][-1][3] == before[0][-1][3] + 1
    roll_up_figures()
    roll_up_figures()
    assert figures() == after


def test_each_event_is_counted_once_however_often_the_roll_up_runs(ref):
    make_order(ref, S.DELIVERED)
    for _ in range(4):
        roll_up_figures()
    make_order(ref, S.OUT_FOR_DELIVERY)
    for _ in range(3):
        roll_up_figures()
    mark = FigureRollupMark.objects.get()
    counted = EventMonthFigure.objects.aggregate(n=Sum("n"))["n"]
    assert counted == DeliveryEvent.objects.filter(pk__lte=mark.counted_to).count()
    assert mark.counted_to == DeliveryEvent.objects.order_by("-pk").values_list("pk", flat=True).first()


def test_figures_by_area_match_the_events_of_that_area(ref):
    make_order(ref, S.DELIVERED, area="maros")
    make_order(ref, S.DELIVERED)
    maros = ref["areas"]["maros"]
    live = figures(area=maros)
    roll_up_figures()
    roll_up_figures()
    assert figures(area=maros) == live
    assert live[0][-1][3] == 1  # one delivered in Maros this month
