from __future__ import annotations

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError

from demo.seed import DEMO_PASSWORD
from tests.snapshots import Snapshot

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    # A cheap Android phone: 360 CSS pixels wide, touch.
    "phone": {
        "viewport": {"width": 360, "height": 740},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "user_agent": "Mozilla/5.0 (Linux; Android 11; SM-A025F) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
    },
}

_axe = Axe()

# Playwright's own polling (wait_for_function) evaluates strings in the page, which the portal's
# Content-Security-Policy forbids; test contexts let Playwright through. The policy itself is checked
# by tests/browser/test_security_pages.py, in contexts that do not bypass it.
BYPASS_CSP = {"bypass_csp": True}


def _demo_load():
    from demo.seed import reference_data_load, seed_demo

    seed_demo()
    return reference_data_load()


# The demo is made relative to now: made again when the copy is ten minutes old.
DEMO = Snapshot(_demo_load, max_age=600)


@pytest.fixture
def demo(transactional_db):
    """The whole Makassar demo (reference data and 30 orders) in the live server's database: made
    by the first test of this process that asks, copied back for the others (tests/snapshots.py)."""
    return DEMO.load()


@pytest.fixture(params=list(VIEWPORTS))
def screen(request, browser):
    context = browser.new_context(
        locale="id-ID", timezone_id="Asia/Makassar", **VIEWPORTS[request.param], **BYPASS_CSP
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.viewport_name = request.param
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="id-ID", timezone_id="Asia/Makassar", **VIEWPORTS["phone"], **BYPASS_CSP
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(
        locale="id-ID", timezone_id="Asia/Makassar", **VIEWPORTS["desktop"], **BYPASS_CSP
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def login(page, base_url: str, username: str) -> None:
    """Signs ``username`` (a demo account) in on ``page``'s browser context and opens the home page,
    where the login form would have left them. The session is made on the server as
    ``client.force_login`` makes it (second factor passed) and handed to the browser as its cookie,
    Playwright's storage state, instead of typing the password and a TOTP code for every test. The
    tests about logging in itself use ``login_through_the_form``."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )
    page.goto(f"{base_url}/")


def login_through_the_form(page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Logs in as a person would: the login form, then the two-step code for staff."""
    page.goto(f"{base_url}/login/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    with page.expect_navigation():  # the answer to the post, not the login page still showing
        page.get_by_role("button", name="Masuk").click()
    if "/login/two-step/" in page.url:
        complete_second_factor(page, username)


def complete_second_factor(page, username: str) -> None:
    """Staff: type the code an authenticator app with the account's secret shows (the demo secret
    for demo accounts, the secret just shown on the set-up page for a new device)."""
    from tests.conftest import totp_code_for

    page.get_by_label("Kode 6 digit dari aplikasi autentikator").fill(totp_code_for(username))
    with page.expect_navigation():
        page.get_by_role(
            "button", name="Konfirmasi dan lanjutkan" if "/setup/" in page.url else "Lanjutkan"
        ).click()


def assert_accessible(page) -> None:
    """axe-core on the current page: no serious or critical WCAG violations.

    A link clicked just before may still be replacing the document; axe then finds no document (or
    its context destroyed), so the check waits for the new page to load and runs again."""
    # resultTypes: every node of every violation is reported as before; axe stops building the
    # selectors of the rules that passed, which nothing reads.
    options = {
        "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        "resultTypes": ["violations"],
    }
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            results = _axe.run(page, options=options)
            break
        except PlaywrightError as error:
            navigating = "documentElement" in str(error) or "context was destroyed" in str(error)
            if not navigating or attempt == 2:
                raise
            page.wait_for_timeout(200)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in bad
    )


def assert_fits_the_screen(page) -> None:
    """Nothing scrolls sideways: the page is usable on a narrow phone."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the screen"


def screenshot(target, path: str, **options) -> None:
    """A picture of ``target`` (a page or a locator) at ``path`` for a person to look at, taken when
    the run asks for pictures (``SCREENSHOTS=1 scripts/test.sh tests/browser``). Nothing reads
    them in the tests, and a full page at a phone's pixel density takes a fifth of a second or more,
    so a plain ``make test`` does not take them."""
    if os.environ.get("SCREENSHOTS") == "1":
        target.screenshot(path=path, **options)
