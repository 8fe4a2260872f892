"""Every page loads under the Content-Security-Policy with no violation, scripts working."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.web.helpers import api_create_ready_project, api_signup, wait_for_images, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Recorded before any page script runs: a violation cannot slip past a late listener.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` (${event.sourceFile || ""}:${event.lineNumber || 0})`);
});
"""


def _violations(page) -> list[str]:
    return list(page.evaluate("window.__violations"))


def test_every_page_loads_with_no_policy_violation(server, visit, photos):
    view = visit(server.url)
    page = view.page
    page.add_init_script(RECORD_VIOLATIONS)
    for path in ["/", "/signup", "/signin", "/community", "/plans", "/no-such-page"]:
        response = page.goto(path)
        assert response is not None
        assert "nonce-" in response.headers["content-security-policy"]
        assert _violations(page) == [], path

    api_signup(view.context, server.url)
    project_id = api_create_ready_project(view.context, server.url, photos, "Strict Policy")
    publish = view.context.request.post(
        f"{server.url}/api/project/publish", data={"projectId": project_id, "isPublished": True}
    )
    assert publish.ok, publish.text()
    pages = [
        "/generate",
        "/my-generations",
        "/account",
        f"/result/{project_id}",
        f"/ads/{project_id}",
        "/community",
        f"/result/{uuid.uuid4()}",
    ]
    for path in pages:
        page.goto(path)
        wait_for_images(page)
        assert _violations(page) == [], path

    # Scripts and inline styles both work under the policy: the result page's script fills
    # the progress and the token list takes a new token.
    page.goto(f"/result/{project_id}")
    expect(page.get_by_role("img", name="Generated ad image for Strict Policy")).to_be_visible()
    page.goto("/account")
    page.get_by_placeholder("Token name, e.g. CI").fill("policy check")
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.locator("[data-tokens] li", has_text="policy check")).to_be_visible()
    assert _violations(page) == []
    refused = [e for e in view.js_errors(allow_status=(404,)) if "Content Security Policy" in e]
    assert refused == []
    assert view.js_errors(allow_status=(404,)) == []


def test_inline_script_and_foreign_framing_are_refused(server, visit):
    """The policy is live, not decorative: an injected inline script does not run."""
    view = visit(server.url)
    page = view.page
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto("/plans")
    ran = page.evaluate(
        """() => {
          window.__ran = false;
          const script = document.createElement("script");
          script.textContent = "window.__ran = true";
          document.head.append(script);
          const styled = document.createElement("p");
          styled.setAttribute("style", "color: red");
          document.body.append(styled);
          return window.__ran;
        }"""
    )
    assert ran is False
    wait_until(page, "window.__violations.length >= 2")
    directives = " ".join(_violations(page))
    assert "script-src" in directives and "style-src" in directives
    response = page.goto("/")
    assert response is not None
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
