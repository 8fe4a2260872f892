"""Variants through the Create page: the cost, the group in My generations, too few credits."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.web.helpers import api_signup, wait_for_images

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
VIEWPORTS = ["desktop", "phone"]


def _fill_brief(page: Page, photos, product: str) -> None:
    page.get_by_label("Person photo").set_input_files(photos["person"])
    page.get_by_label("Product photo").set_input_files(photos["product"])
    expect(page.get_by_role("img", name="Preview of the product photo")).to_be_visible()
    page.get_by_label("Product name").fill(product)
    page.locator("#userPrompt").fill("morning gym vibe")


def _projects(page: Page) -> list[dict]:
    projects: list[dict] = page.request.get("/api/user/projects").json()["projects"]
    return projects


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_two_variants_are_made_charged_and_grouped(server, visit, photos, shoot, viewport):
    view = visit(server.url, viewport)
    page = view.page
    product = f"Aqua Bottle {viewport}"
    api_signup(view.context, server.url)
    page.goto("/generate")
    _fill_brief(page, photos, product)

    page.get_by_label("Make variants").check()
    page.get_by_label("2 ads").check()
    page.get_by_label("Use 16:9").check()
    page.get_by_label("Hooks").fill("Cold water all day\n")
    page.get_by_label("Caption on ad 2").uncheck()
    expect(page.get_by_label("Captions on all")).not_to_be_checked()
    expect(page.locator("[data-cost-label]")).to_have_text("2 images \u00d7 5 credits")
    expect(page.locator("[data-cost-total]")).to_have_text("10 credits")
    button = page.get_by_role("button", name="Generate 2 ads")
    expect(button).to_be_enabled()
    shoot(page, f"generate-variants-{viewport}")

    # A network error on the first press: pressing again sends the same Idempotency-Key,
    # so had the first request arrived, the server would replay it instead of charging twice.
    keys: list[str] = []
    page.on(
        "request",
        lambda r: (
            keys.append(r.headers.get("idempotency-key", "")) if "variants" in r.url else None
        ),
    )
    page.route("**/api/project/variants", lambda route: route.abort())
    button.click()
    expect(page.locator("[data-form-error]")).to_contain_text("couldn't reach the server")
    page.unroute("**/api/project/variants")
    button.click()

    expect(page).to_have_url(re.compile(r"/my-generations$"))
    assert len(keys) == 2 and keys[0] == keys[1] and re.fullmatch(r"[0-9a-f-]{36}", keys[0])
    group = page.get_by_role("region", name=f"2 variants of {product}")
    expect(group).to_be_visible()
    expect(group).to_contain_text("9:16 · 16:9")
    cards = group.locator("[data-card]")
    expect(cards).to_have_count(2)
    expect(cards.get_by_text("Ready", exact=True)).to_have_count(2, timeout=60_000)
    expect(cards.get_by_role("img", name=re.compile("^Generated"))).to_have_count(2)
    expect(page.locator("[data-credits]")).to_have_text("10 credits")
    assert page.evaluate("document.querySelectorAll('[data-card]').length") == 2
    made = _projects(page)
    assert sorted(p["aspectRatio"] for p in made) == ["16:9", "9:16"]
    assert {p["userPrompt"] for p in made} == {"Cold water all day", "morning gym vibe"}
    assert sorted(p["showCaption"] for p in made) == [False, True]
    wait_for_images(page)
    shoot(page, f"my-generations-variants-{viewport}")

    # Deleting one variant: the heading counts what is left.
    page.get_by_role("button", name=f"Delete {product}").first.click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("region", name=f"1 variant of {product}")).to_be_visible()
    assert [e for e in view.js_errors() if "ERR_FAILED" not in e] == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_variants_the_balance_cannot_pay_for_are_refused_and_cost_nothing(
    server, visit, photos, shoot, viewport
):
    view = visit(server.url, viewport)
    page = view.page
    api_signup(view.context, server.url)
    page.goto("/generate")
    _fill_brief(page, photos, "Aqua Bottle")
    page.get_by_label("Make variants").check()
    page.get_by_label("5 ads").check()

    expect(page.locator("[data-cost-total]")).to_have_text("25 credits")
    button = page.get_by_role("button", name="Generate 5 ads")
    expect(button).to_be_disabled()
    reason = page.locator("#submit-reason")
    expect(reason).to_have_text(
        "5 ads cost 25 credits and you have 20 credits. Choose fewer ads or get more credits."
    )
    expect(button).to_have_attribute("aria-describedby", "submit-reason")
    shoot(page, f"generate-variants-short-{viewport}")

    # The server is the judge: forcing the button on gets its refusal, and nothing is charged.
    page.evaluate("document.querySelector('[data-submit]').disabled = false")
    button.click()
    expect(page.locator("[data-form-error]")).to_contain_text("This costs 25 credits")
    expect(page).to_have_url(re.compile(r"/generate$"))
    expect(page.locator("[data-credits]")).to_have_text("20 credits")
    assert page.request.get("/api/user/credits").json()["credits"] == 20
    assert _projects(page) == []

    page.get_by_label("4 ads").check()
    expect(reason).to_be_hidden()
    expect(page.get_by_role("button", name="Generate 4 ads")).to_be_enabled()
    assert view.js_errors(allow_status=(402,)) == []
