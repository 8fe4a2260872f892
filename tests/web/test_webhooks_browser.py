"""Account page: a user adds a webhook endpoint, copies its secret, sends a test event."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.fakes.webhook_receiver import WebhookReceiver
from tests.web.helpers import api_signup

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_add_an_endpoint_send_a_test_event_and_read_the_log(server, visit, shoot):
    view = visit(server.url)
    page = view.page
    api_signup(view.context, server.url)
    with WebhookReceiver() as receiver:
        assert isinstance(receiver, WebhookReceiver)
        page.goto("/account")
        expect(page.get_by_text("No endpoints yet.")).to_be_visible()
        page.get_by_label("Endpoint URL").fill(receiver.url)
        page.get_by_label("Video ready").uncheck()
        page.get_by_role("button", name="Add endpoint").click()
        secret = page.locator("[data-webhook-secret]")
        expect(secret).to_contain_text("whsec_")
        receiver.secret = secret.inner_text()
        item = page.locator("[data-endpoint]")
        expect(item).to_contain_text("Image ready · Generation failed")
        item.get_by_role("button", name="Send test event").click()
        [arrival] = receiver.wait_for(1)
        assert arrival.verified and arrival.event is not None
        assert arrival.event["type"] == "webhook.test"
        item.get_by_role("button", name="Deliveries").click()
        expect(item.locator("[data-attempts]")).to_contain_text("HTTP 204")
        item.get_by_role("button", name="Disable").click()
        expect(item.locator("[data-endpoint-state]")).to_have_text("Disabled")
        shoot(page, "account-webhooks")
        page.reload()
        expect(page.locator("[data-endpoint-state]")).to_have_text("Disabled")
        page.get_by_role("button", name="Delete", exact=True).click()
        page.get_by_role("button", name="Confirm delete").click()
        expect(page.get_by_text("No endpoints yet.")).to_be_visible()
    assert view.js_errors() == []
