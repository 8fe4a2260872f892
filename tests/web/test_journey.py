"""A new user's whole journey in a real browser, at a desktop and a phone viewport."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support import PASSWORD, unique_email
from tests.web.helpers import wait_for_images

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

PLAY_VIDEO = """async () => {
  const video = document.querySelector("video[data-video]");
  video.muted = true;
  if (video.readyState < 1) {
    await new Promise((done) => video.addEventListener("loadedmetadata", done, { once: true }));
  }
  await video.play();
  await new Promise((resolve) => setTimeout(resolve, 700));
  return { duration: video.duration, time: video.currentTime };
}"""


def _nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def _sign_up_with_keyboard(page: Page, email: str) -> None:
    page.goto("/signup")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_new_user_makes_publishes_and_deletes_an_ad(server, visit, photos, shoot, viewport):
    view = visit(server.url, viewport)
    page = view.page
    product = f"Aqua Bottle {viewport}"
    email = unique_email("journey")

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("UGC ad")
    wait_for_images(page)
    shoot(page, f"landing-{viewport}")

    page.goto("/signup")
    shoot(page, f"signup-{viewport}")
    _sign_up_with_keyboard(page, email)
    expect(page).to_have_url(re.compile(r"/generate$"))
    badge = page.locator("[data-credits]")
    expect(badge).to_have_text("20 credits")
    expect(page.locator("#toasts")).to_contain_text("Welcome")

    page.get_by_label("Person photo").set_input_files(photos["person"])
    page.get_by_label("Product photo").set_input_files(photos["product"])
    expect(page.get_by_role("img", name="Preview of the person photo")).to_be_visible()
    expect(page.get_by_role("img", name="Preview of the product photo")).to_be_visible()
    page.get_by_label("Product name").fill(product)
    page.get_by_label("Product description").fill("A reusable steel bottle that keeps water cold")
    page.get_by_label("Prompt").fill("morning gym vibe")
    page.get_by_label("1:1" if viewport == "desktop" else "9:16", exact=True).check()
    shoot(page, f"generate-{viewport}")
    page.get_by_role("button", name="Generate image").click()

    expect(page).to_have_url(re.compile(r"/result/[0-9a-f-]{36}$"))
    page.evaluate("window.stillSamePage = true")
    image = page.get_by_role("img", name=re.compile(r"^Generated"))
    expect(image).to_be_visible(timeout=30_000)
    expect(badge).to_have_text("15 credits")
    assert page.evaluate("window.stillSamePage === true"), "the page reloaded"
    expect(page.get_by_role("link", name="Download image")).to_be_visible()
    wait_for_images(page)
    shoot(page, f"result-image-{viewport}")

    page.get_by_role("button", name="Generate video").click()
    expect(badge).to_have_text("5 credits")
    expect(page.locator("[data-progress-block]")).to_be_visible()
    video = page.locator("video[data-video]")
    expect(video).to_be_visible(timeout=90_000)
    played = page.evaluate(PLAY_VIDEO)
    assert played["duration"] > 0 and played["time"] > 0, played
    expect(page.get_by_role("link", name="Download video")).to_be_visible()
    assert page.evaluate("window.stillSamePage === true"), "the page reloaded"
    page.evaluate("document.querySelector('video[data-video]').pause()")
    shoot(page, f"result-video-{viewport}")

    page.get_by_role("switch", name="Publish to community").check()
    expect(page.locator("#toasts")).to_contain_text("Published to Community")

    _nav(page, "Community")
    expect(page).to_have_url(re.compile(r"/community$"))
    expect(page.get_by_role("heading", name=product)).to_be_visible()
    wait_for_images(page)
    shoot(page, f"community-{viewport}")
    # The public page a shared link opens.
    page.get_by_role("main").get_by_role("link", name=product, exact=True).click()
    expect(page).to_have_url(re.compile(r"/ads/[0-9a-f-]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(product)
    expect(page.get_by_role("link", name="Download video")).to_be_visible()
    expect(page.locator("video")).to_be_visible()
    shoot(page, f"ad-{viewport}")

    _nav(page, "My generations")
    card = page.locator("[data-card]", has=page.get_by_role("link", name=product))
    expect(card).to_be_visible()
    expect(card.get_by_text("Published")).to_be_visible()
    wait_for_images(page)
    shoot(page, f"my-generations-{viewport}")

    _nav(page, "Plans")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Credits")
    shoot(page, f"plans-{viewport}")

    page.get_by_role("banner").get_by_role("link", name="Account").click()
    expect(page.get_by_text(email)).to_be_visible()
    history = page.get_by_role("table")
    expect(history).to_contain_text("Ad video")
    expect(history).to_contain_text("Welcome credits")
    page.get_by_placeholder("Token name, e.g. CI").fill("CI")
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.locator("[data-secret]")).to_contain_text("ugc_")
    shoot(page, f"account-{viewport}")

    _nav(page, "My generations")
    card.get_by_role("button", name=f"Delete {product}").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Delete").click()
    expect(card).to_have_count(0)
    expect(page.get_by_role("heading", name="No ads yet")).to_be_visible()

    _nav(page, "Community")
    expect(page.get_by_role("heading", name=product)).to_have_count(0)

    page.get_by_role("banner").get_by_role("link", name="Account").click()
    page.get_by_role("main").get_by_role("button", name="Sign out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("#toasts")).to_contain_text("signed out")
    page.goto("/signin")
    shoot(page, f"signin-{viewport}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/generate$"))
    expect(badge).to_have_text("5 credits")

    assert view.js_errors() == []
