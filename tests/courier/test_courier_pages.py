"""The service worker, the manifest and who may open the courier pages."""

from delivery.choices import DeliveryStatus as S
from delivery.handoff import codes
from tests.factories import make_order


def test_the_service_worker_is_served_under_courier_with_its_scope(client, ref):
    client.force_login(ref["users"]["kurir"])
    response = client.get("/courier/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/courier/"
    body = response.content.decode()
    assert '"/static/courier/run.js"' in body and 'const RUN = "/courier/"' in body


def test_the_run_page_lists_the_run_but_nothing_of_the_code(client, ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    client.force_login(ref["users"]["kurir"])
    page = client.get("/courier/").content.decode()
    assert order.code in page
    assert 'rel="manifest"' in page
    assert codes.delivery_code_reveal(order_id=order.pk) not in page


def test_other_roles_are_sent_home_from_the_courier_app(client, ref):
    client.force_login(ref["users"]["pos.layanan"])
    response = client.get("/courier/", follow=True)
    assert "Aplikasi kurir hanya untuk kurir." in response.content.decode()


def test_the_run_page_travels_compressed_to_a_phone_that_accepts_it(client, ref):
    import gzip

    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    client.force_login(ref["users"]["kurir"])
    response = client.get("/courier/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    page = gzip.decompress(response.content).decode()
    assert order.code in page
    assert len(response.content) < len(page) / 2
