"""What users see when things go wrong: bad files, too few credits, a failed generation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.web.helpers import api_signup

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
VIEWPORTS = ["desktop", "phone"]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_bad_files_are_refused_before_upload(server, visit, photos, shoot, viewport):
    view = visit(server.url, viewport)
    page = view.page
    api_signup(view.context, server.url)
    page.goto("/generate")
    person = page.get_by_label("Person photo")
    product = page.get_by_label("Product photo")

    person.set_input_files(photos["text"])
    expect(page.locator("#person-error")).to_contain_text("Use a JPEG, PNG or WEBP photo")
    expect(person).to_have_attribute("aria-invalid", "true")

    product.set_input_files(photos["huge"])
    expect(page.locator("#product-error")).to_contain_text("the limit is 5 MB")

    person.set_input_files(photos["renamed"])
    expect(page.locator("#person-error")).to_contain_text("not an image we can read")
    shoot(page, f"generate-errors-{viewport}")

    page.get_by_label("Product name").fill("Nothing")
    page.get_by_role("button", name="Generate image").click()
    expect(page.locator("#person-error")).to_contain_text("Add this photo")
    expect(page).to_have_url(re.compile(r"/generate$"))
    expect(page.locator("[data-credits]")).to_have_text("20 credits")

    person.set_input_files(photos["person"])
    expect(page.locator("#person-error")).to_have_text("")
    expect(page.get_by_role("img", name="Preview of the person photo")).to_be_visible()
    assert view.js_errors() == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_insufficient_credits_are_explained(servers, visit, photos, shoot, viewport):
    base_url = servers["poor"].url
    view = visit(base_url, viewport)
    page = view.page
    api_signup(view.context, base_url)
    page.goto("/generate")
    expect(page.locator("[data-credits]")).to_have_text("4 credits")
    button = page.get_by_role("button", name="Generate image")
    expect(button).to_be_disabled()
    expect(page.locator("#submit-reason")).to_contain_text("You need 5 credits and have 4 credits")
    shoot(page, f"generate-no-credits-{viewport}")

    # The server is the judge: forcing the button on gets its refusal, shown as sent.
    page.get_by_label("Person photo").set_input_files(photos["person"])
    page.get_by_label("Product photo").set_input_files(photos["product"])
    page.get_by_label("Product name").fill("Aqua Bottle")
    page.evaluate("document.querySelector('[data-submit]').disabled = false")
    button.click()
    alert = page.locator("[data-form-error]")
    expect(alert).to_contain_text("This costs 5 credits and your balance is too low")
    expect(page).to_have_url(re.compile(r"/generate$"))
    expect(page.locator("[data-credits]")).to_have_text("4 credits")
    assert view.js_errors(allow_status=(402,)) == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_failed_generation_shows_reason_and_refund(server, visit, photos, shoot, viewport):
    view = visit(server.url, viewport)
    page = view.page
    api_signup(view.context, server.url)
    page.goto("/generate")
    page.get_by_label("Person photo").set_input_files(photos["person"])
    page.get_by_label("Product photo").set_input_files(photos["transparent"])
    page.get_by_label("Product name").fill("Invisible Ink")
    page.get_by_role("button", name="Generate image").click()

    expect(page).to_have_url(re.compile(r"/result/[0-9a-f-]{36}$"))
    expect(page.locator("[data-status-badge]")).to_have_text("Failed", timeout=30_000)
    error = page.locator("[data-error]")
    expect(error).to_be_visible()
    expect(error).to_contain_text("The image could not be made")
    expect(error).to_contain_text("Your 5 credits were refunded")
    expect(page.locator("[data-credits]")).to_have_text("20 credits")
    expect(page.get_by_role("switch", name="Publish to community")).to_be_disabled()
    # The failure frame comes from the page's own markup, shown by the script as it fails.
    expect(page.locator("[data-failed-frame]")).to_be_visible()
    expect(page.locator("[data-failed-frame]")).to_contain_text("No image this time")
    expect(page.locator("[data-wait]")).to_be_hidden()
    shoot(page, f"result-failed-{viewport}")

    page.goto("/account")
    history = page.get_by_role("table")
    expect(history).to_contain_text("Refund")
    assert view.js_errors() == []
