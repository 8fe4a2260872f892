"""A purchase end to end in Chromium: Plans -> Stripe's page (the fake) -> back, live balance."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import _run_async, assert_ledger_matches_balances
from tests.web.conftest import SCREENSHOTS
from tests.web.helpers import api_signup

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _ledger_matches(server) -> None:
    # On a thread of its own: Playwright's sync API keeps an event loop running here.
    _run_async(assert_ledger_matches_balances(server.env["UGC_DATABASE_URL"]))


def test_buying_a_pack_shows_the_new_balance_once_the_webhook_lands(
    paying_server, fake_stripe, visit
):
    fake_stripe.webhook_url = f"{paying_server.url}/api/billing/stripe/webhook"
    fake_stripe.webhook_delay = 2.0  # the buyer is back before Stripe's event arrives
    view = visit(paying_server.url)
    page = view.page
    api_signup(view.context, paying_server.url, prefix="buyer")
    page.goto("/plans")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "plans-paying.png"), full_page=True)
    creator = page.locator("[data-pack=creator]")
    expect(creator).to_contain_text("$29")
    creator.get_by_role("button", name="Buy Creator · $29").click()

    page.wait_for_url(f"{fake_stripe.base_url}/pay/cs_test_*")
    expect(page.locator("[data-amount]")).to_have_text("29.00 USD")
    page.get_by_role("button", name="Pay").click()

    page.wait_for_url(f"{paying_server.url}/billing/success?session_id=cs_test_*")
    expect(page.locator("[data-waiting]")).to_be_visible()
    expect(page.locator("[data-balance-big]")).to_have_text("20 credits")
    # No reload: the page notices the webhook's grant by itself.
    expect(page.locator("[data-arrived]")).to_be_visible(timeout=20_000)
    expect(page.locator("[data-added]")).to_have_text("80 credits")
    expect(page.locator("[data-balance-big]")).to_have_text("100 credits")
    expect(page.locator("[data-credits-text]")).to_have_text("100 credits")
    page.screenshot(path=str(SCREENSHOTS / "billing-success.png"), full_page=True)
    assert [d.status for d in fake_stripe.deliveries] == [200]

    page.get_by_role("link", name="See your purchases").click()
    row = page.locator("[data-purchases] tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Creator")
    expect(row).to_contain_text("$29")
    expect(row).to_contain_text("Paid")
    page.screenshot(path=str(SCREENSHOTS / "account-purchases.png"), full_page=True)
    assert view.js_errors() == []
    _ledger_matches(paying_server)


def test_buy_button_works_without_javascript(paying_server, fake_stripe, billing_browser):
    context = billing_browser.new_context(base_url=paying_server.url, java_script_enabled=False)
    try:
        api_signup(context, paying_server.url, prefix="nojs")
        page = context.new_page()
        page.goto("/plans")
        page.locator("[data-pack=starter]").get_by_role("button").click()
        page.wait_for_url(f"{fake_stripe.base_url}/pay/cs_test_*")
        expect(page.locator("[data-amount]")).to_have_text("10.00 USD")
        page.go_back()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Credits")
    finally:
        context.close()


def test_cancelled_checkout_says_nothing_was_charged(paying_server, visit):
    view = visit(paying_server.url)
    api_signup(view.context, paying_server.url, prefix="cancel")
    view.page.goto("/plans?cancelled=1")
    expect(view.page.get_by_text("Payment cancelled; nothing was charged.")).to_be_visible()
    assert view.js_errors() == []
