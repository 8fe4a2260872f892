"""In a real browser: sign-in stays on this site; the Account page's security controls."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support import PASSWORD
from tests.web.helpers import api_signup

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NEW_PASSWORD = "velvet harbour compass"


def _sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_signing_in_never_follows_next_off_the_site(server, visit):
    view = visit(server.url)
    email = api_signup(view.context, server.url)
    view.context.clear_cookies()
    page = view.page
    page.goto("/signin?next=/%5Cevil.example/phish")
    _sign_in(page, email)
    expect(page).to_have_url(f"{server.url}/generate")

    # Even if a page handed the script a hostile target, the script stays on this site.
    view.context.clear_cookies()
    page.goto("/signin")
    page.locator("[data-auth-form]").evaluate("form => form.dataset.next = '/\\\\evil.example/x'")
    _sign_in(page, email)
    expect(page).to_have_url(f"{server.url}/generate")
    assert view.js_errors() == []


def test_signup_page_explains_a_refused_common_password(server, visit):
    page = visit(server.url).page
    page.goto("/signup")
    page.get_by_label("Email").fill("common-password@example.com")
    page.get_by_label("Password").fill("password123")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("[data-form-error]")).to_contain_text("most common")
    expect(page).to_have_url(re.compile(r"/signup$"))


def test_password_change_and_sign_out_everywhere_from_the_account_page(server, visit):
    laptop, phone = visit(server.url), visit(server.url, "phone")
    email = api_signup(laptop.context, server.url)
    phone.page.goto("/signin")
    _sign_in(phone.page, email)
    expect(phone.page).to_have_url(f"{server.url}/generate")

    page = laptop.page
    page.goto("/account")
    expect(page.get_by_text("Not verified yet")).to_be_visible()
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Password changed")).to_be_visible()
    assert phone.context.request.get(f"{server.url}/api/user/me").status == 401
    assert laptop.context.request.get(f"{server.url}/api/user/me").status == 200

    button = page.get_by_role("button", name="Sign out everywhere")
    button.click()
    page.get_by_role("button", name="Confirm: sign out everywhere").click()
    expect(page).to_have_url(re.compile(r"/signin\?next=/account$"))
    assert laptop.context.request.get(f"{server.url}/api/user/me").status == 401
    _sign_in(page, email, NEW_PASSWORD)
    expect(page).to_have_url(f"{server.url}/account")
    assert laptop.js_errors(allow_status=(401,)) == []
