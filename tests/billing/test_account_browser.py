"""The Account page in Chromium: download one's data, then delete the account for good."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from playwright.sync_api import expect

from tests.support import PASSWORD
from tests.web.helpers import api_signup

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_export_then_delete_from_the_account_page(paying_server, visit):
    view = visit(paying_server.url)
    page = view.page
    email = api_signup(view.context, paying_server.url, prefix="leaver")
    page.goto("/account")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download your data").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    assert json.loads(archive.read("profile.json"))["email"] == email

    form = page.locator("[data-delete-account]")
    form.get_by_label("Type delete my account to confirm").fill("delete my account")
    form.get_by_label("Your password").fill("not my password")
    form.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("That password is not right; nothing was deleted.")).to_be_visible()
    assert page.url.endswith("/account")

    form.get_by_label("Your password").fill(PASSWORD)
    form.get_by_role("button", name="Delete my account").click()
    page.wait_for_url(f"{paying_server.url}/", wait_until="domcontentloaded")
    expect(page.get_by_text("Your account and everything in it were deleted.")).to_be_visible()
    expect(page.get_by_role("link", name="Sign up")).to_be_visible()
    response = page.request.get(f"{paying_server.url}/api/user/me")
    assert response.status == 401
    assert view.js_errors(allow_status=(403,)) == []


def test_delete_works_without_javascript(paying_server, billing_browser):
    context = billing_browser.new_context(base_url=paying_server.url, java_script_enabled=False)
    try:
        api_signup(context, paying_server.url, prefix="quiet-leaver")
        page = context.new_page()
        page.goto("/account")
        page.get_by_label("Type delete my account to confirm").fill("Delete my account")
        page.get_by_label("Your password").fill(PASSWORD)
        page.get_by_role("button", name="Delete my account").click()
        page.wait_for_url(f"{paying_server.url}/?account_deleted=1")
        assert context.request.get(f"{paying_server.url}/api/user/me").status == 401
    finally:
        context.close()
