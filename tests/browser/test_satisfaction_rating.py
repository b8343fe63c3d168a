"""Tell us how it went: an applicant opens the personal link of a delivered order, rates it 4 with a
comment, and a partnership manager sees it on the dashboard and in an evaluation meeting's scorecard;
on a desktop and a 360 px phone."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from delivery.choices import DeliveryStatus as S
from delivery.manage import links
from delivery.models import DeliveryOrder, SatisfactionRating
from partners import selectors
from partners.choices import MeetingStatus
from partners.models import EvaluationMeeting
from tests.browser.conftest import assert_accessible, assert_fits_the_screen, login, screenshot

pytestmark = pytest.mark.browser

COMMENT = "Kurir menelepon dulu dan datang sesuai jendela waktu."


def test_an_applicant_rates_the_delivery_and_the_manager_sees_it(live_server, demo, screen):
    order = DeliveryOrder.objects.filter(status=S.DELIVERED, satisfaction_rating__isnull=True).first()
    assert order is not None  # the demo leaves one delivered order to rate by hand
    screen.goto(f"{live_server.url}/m/{links.link_token(order)}/")

    rating = screen.get_by_role("region", name="Ceritakan pengalaman Anda")
    expect(rating).to_be_visible()
    question = screen.get_by_role("group", name="Bagaimana pengiriman paspor Anda?")
    for label in ("1 – sangat buruk", "2 – buruk", "3 – biasa saja", "4 – baik", "5 – sangat baik"):
        expect(question.get_by_label(label)).to_be_visible()
    assert_fits_the_screen(screen)
    assert_accessible(screen)
    screenshot(screen, f"/tmp/rating-form-{screen.viewport_name}.png", full_page=True)

    # sent without a score: the question says what is missing, the comment stays
    screen.get_by_label("Ada yang ingin Anda sampaikan? (opsional)").fill(COMMENT)
    screen.get_by_role("button", name="Kirim penilaian saya").click()
    expect(question).to_contain_text("Pilih nilai dari 1 (sangat buruk) sampai 5 (sangat baik).")
    expect(screen.get_by_label("Ada yang ingin Anda sampaikan? (opsional)")).to_have_value(COMMENT)
    assert_accessible(screen)

    question.get_by_label("4 – baik").check()
    screen.get_by_role("button", name="Kirim penilaian saya").click()
    expect(screen.get_by_text("Terima kasih telah menceritakan pengalaman Anda.")).to_be_visible()
    expect(screen.locator("#rating-given")).to_have_text(
        "Anda memberi nilai 4 dari 5 untuk pengiriman ini. Terima kasih!"
    )
    expect(screen.get_by_text("Ubah penilaian saya")).to_be_visible()  # for seven days
    assert_fits_the_screen(screen)
    assert_accessible(screen)
    screenshot(screen, f"/tmp/rating-thanks-{screen.viewport_name}.png", full_page=True)
    rated = SatisfactionRating.objects.get(order=order)
    assert (rated.score, rated.comment) == (4, COMMENT)

    # PT Pos's manager: this month's figures on the dashboard, the comment without the order
    login(screen, live_server.url, "manajer.pos")
    screen.goto(f"{live_server.url}/partners/dashboard/")
    month = f"{timezone.localdate():%Y-%m}"
    screen.get_by_label("Dari bulan").fill(month)
    screen.get_by_label("Sampai bulan").fill(month)
    screen.get_by_role("button", name="Tampilkan").click()
    section = screen.get_by_role("region", name="Kepuasan pemohon: “Ceritakan pengalaman Anda”")
    expect(section).to_be_visible()
    comments = screen.locator("#satisfaction-comments")
    expect(comments).to_contain_text(COMMENT)
    expect(comments).not_to_contain_text(order.code)
    ratings = SatisfactionRating.objects.filter(rated_at__date__gte=timezone.localdate().replace(day=1))
    expect(screen.locator("#satisfaction tfoot td").first).to_have_text(str(ratings.count()))
    section.scroll_into_view_if_needed()
    assert_fits_the_screen(screen)
    assert_accessible(screen)
    screenshot(screen, f"/tmp/rating-dashboard-{screen.viewport_name}.png", full_page=True)

    # the evaluation meeting of today: the scorecard's measured line counts the new rating
    meeting = EvaluationMeeting.objects.create(held_on=timezone.localdate(), status=MeetingStatus.PLANNED)
    line = selectors.meeting_satisfaction(meeting=meeting)
    assert line.ratings >= 1
    screen.goto(f"{live_server.url}/partners/evaluations/{meeting.pk}/")
    measured = screen.locator("#scorecard-satisfaction")
    expect(measured).to_contain_text("Kepuasan pemohon, terukur")
    expect(measured).to_contain_text(f"{line.ratings} penilaian")
    expect(measured.locator("td").first).to_have_text(f"{line.average:.2f}".replace(".", ","))
    assert_fits_the_screen(screen)
    assert_accessible(screen)
    screenshot(screen, f"/tmp/rating-evaluation-{screen.viewport_name}.png", full_page=True)
