"""The API reference page: every operation with its examples, readable without script on a phone."""

from tests.browser.conftest import assert_accessible, assert_fits_the_screen, screenshot


def test_an_integrator_reads_an_operation_and_its_examples(screen, live_server):
    screen.goto(f"{live_server.url}/api/docs/")
    booking = screen.locator("details.api-op", has_text="/api/v1/counter/bookings/")
    booking.locator("summary").click()
    request = booking.get_by_label("Contoh permintaan")  # the request example, in Indonesian chrome
    assert '"area": "makassar"' in request.inner_text()
    assert '"poa_grantee_nippos"' in request.inner_text()
    # The shared error shape with its example under the same operation.
    assert '"code": "validation_failed"' in booking.get_by_label("Contoh jawaban 400").inner_text()
    assert screen.get_by_role("link", name="/api/schema/").is_visible()
    screenshot(screen, f"/tmp/api-docs-{screen.viewport_name}.png", full_page=False)
    assert_accessible(screen)
    assert_fits_the_screen(screen)


def test_every_operation_of_the_schema_is_on_the_page(desktop, live_server):
    schema = desktop.request.get(f"{live_server.url}/api/schema/?format=json").json()
    operations = sum(
        1
        for item in schema["paths"].values()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    )
    desktop.goto(f"{live_server.url}/api/docs/")
    assert desktop.locator("details.api-op").count() == operations > 20
