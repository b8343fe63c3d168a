"""The dispatcher's board: counts per courier and the last time each phone reached the server."""

from core.models import IdempotencyRecord
from delivery.choices import DeliveryStatus as S
from delivery.courier.selectors import dispatcher_board
from tests.courier.helpers import courier_client, post
from tests.factories import earlier_today, make_order


def test_counts_and_last_sync_include_refused_updates(ref):
    make_order(ref, S.WITH_DELIVERY_SECTION, courier="kurir")
    out = make_order(ref, S.OUT_FOR_DELIVERY, courier="kurir")
    make_order(ref, S.DELIVERED, courier="kurir2", at=earlier_today())
    office = ref["offices"]["pos"].pk

    rows = {row.courier.user.username: row for row in dispatcher_board(office_id=office)}
    assert (rows["kurir"].pending, rows["kurir"].out, rows["kurir"].delivered) == (1, 1, 0)
    assert rows["kurir2"].delivered == 1

    # a refused update (bad reason) still shows that the phone was in touch
    response = post(courier_client(ref["users"]["kurir"]), out.code, "fail", {"reason": "other"})
    assert response.status_code == 400
    record = IdempotencyRecord.objects.get(user=ref["users"]["kurir"])
    rows = {row.courier.user.username: row for row in dispatcher_board(office_id=office)}
    assert rows["kurir"].last_sync == record.created_at
