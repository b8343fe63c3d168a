"""The dashboard reproduces the study's tables 5.1 and 5.2; uptake figures entered or imported."""

import datetime as dt
from decimal import Decimal

import pytest

from core.exceptions import NotAllowed, ValidationFailed
from demo.partnership import STUDY_FIGURES, partnership_demo_load
from partners import selectors, services
from partners.models import UptakeMonth

# month: (2018 issued, 2018 delivered, 2019 issued, 2019 delivered), as printed in the study
STUDY_TABLE = {
    "Jan": (8122, None, 8947, 143),
    "Feb": (6470, None, 7653, 175),
    "Mar": (7098, 131, 7197, 164),
    "Apr": (5550, 87, 6301, 105),
    "May": (3939, 43, 3579, 97),
    "Jun": (1947, 62, 2386, 77),
    "Jul": (4457, 49, 4920, 127),
    "Aug": (2512, 32, 3926, 82),
    "Sep": (4717, 76, 4511, 116),
    "Oct": (5659, 69, 5908, 142),
    "Nov": (6111, 154, 5010, 158),
    "Dec": (5936, 72, 5292, 130),
}


def test_share_is_truncated_not_rounded():
    assert selectors.share_truncated(775, 62518) == Decimal("1.23")  # 1.2396 would round to 1.24
    assert selectors.share_truncated(1516, 65630) == Decimal("2.30")
    assert selectors.share_truncated(None, 100) is None
    assert selectors.share_truncated(3, 0) is None


def test_the_dashboard_numbers_for_2018_and_2019_equal_the_study(ref):
    partnership_demo_load()
    period = selectors.Period(start=dt.date(2018, 1, 1), end=dt.date(2019, 12, 1))

    years = {y.year: y for y in selectors.uptake(period=period)}

    with_delivered_2018 = {"Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
    for index, (label, (i18, d18, i19, d19)) in enumerate(STUDY_TABLE.items()):
        row18, row19 = years[2018].rows[index], years[2019].rows[index]
        assert (row18.issued, row18.delivered) == (i18, d18)
        assert (row19.issued, row19.delivered) == (i19, d19)
        assert (row18.share is None) == (label not in with_delivered_2018)
    assert (years[2018].issued, years[2018].delivered, years[2018].share) == (62518, 775, Decimal("1.23"))
    assert (years[2019].issued, years[2019].delivered, years[2019].share) == (65630, 1516, Decimal("2.30"))
    # 131 of 7,098 in March 2018: 1.845... shown 1.84
    assert years[2018].rows[2].share == Decimal("1.84")


def test_the_study_figures_load_twice_without_duplicates(ref):
    partnership_demo_load()
    partnership_demo_load()
    assert UptakeMonth.objects.count() == 24
    assert sum(i for i, _d in STUDY_FIGURES[2018]) == 62518


def test_imigrasi_enters_a_month_and_can_correct_it(ref):
    manager = ref["users"]["manajer.imigrasi"]
    services.uptake_month_enter(year=2026, month=3, issued=5100, actor=manager)
    services.uptake_month_enter(year=2026, month=3, issued=5200, actor=manager)
    assert list(UptakeMonth.objects.values_list("year", "month", "issued")) == [(2026, 3, 5200)]


def test_pos_may_not_enter_passports_issued(ref):
    with pytest.raises(NotAllowed):
        services.uptake_month_enter(year=2026, month=3, issued=5100, actor=ref["users"]["manajer.pos"])
    assert not UptakeMonth.objects.exists()


def test_a_csv_with_bad_rows_is_reported_row_by_row_and_nothing_is_imported(ref):
    content = b"year,month,issued\n2026,1,5000\n2026,13,4000\n2026,2,banyak\n2026,1,5100\n"

    result = services.uptake_csv_import(content=content, actor=ref["users"]["manajer.imigrasi"])

    assert result.imported == 0
    assert [line for line, _msg in result.errors] == [3, 4, 5]
    assert "1" in result.errors[0][1] and "12" in result.errors[0][1]
    assert not UptakeMonth.objects.exists()


def test_a_good_csv_imports_every_row(ref):
    content = b"year,month,issued\n2026,1,5.000\n2026,2,4100\n"
    result = services.uptake_csv_import(content=content, actor=ref["users"]["manajer.imigrasi"])
    assert result.imported == 2
    assert dict(UptakeMonth.objects.values_list("month", "issued")) == {1: 5000, 2: 4100}


def test_a_csv_without_the_columns_is_refused(ref):
    with pytest.raises(ValidationFailed):
        services.uptake_csv_import(content=b"tahun;bulan\n2026;1\n", actor=ref["users"]["manajer.imigrasi"])
