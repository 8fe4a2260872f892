"""Steps shared by the browser tests: accounts and projects made through the API."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.support import PASSWORD, unique_email


def api_signup(context: Any, base_url: str, prefix: str = "web") -> str:
    """Sign up through the API inside a browser context (it keeps the cookie); the email."""
    email = unique_email(prefix)
    response = context.request.post(
        f"{base_url}/api/auth/signup", data={"email": email, "password": PASSWORD}
    )
    assert response.status == 201, response.text()
    return email


def api_create_ready_project(
    context: Any, base_url: str, photos: dict[str, Path], product_name: str
) -> str:
    """Create a project through the API and wait until its image is ready; its id."""
    response = context.request.post(
        f"{base_url}/api/project/create",
        multipart={
            "userImage": {
                "name": "person.jpg",
                "mimeType": "image/jpeg",
                "buffer": photos["person"].read_bytes(),
            },
            "productImage": {
                "name": "product.png",
                "mimeType": "image/png",
                "buffer": photos["product"].read_bytes(),
            },
            "productName": product_name,
            "userPrompt": "sunny morning, fresh start",
            "aspectRatio": "9:16",
        },
    )
    assert response.status == 201, response.text()
    project_id: str = response.json()["projectId"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = context.request.get(f"{base_url}/api/user/projects/{project_id}").json()
        if not body["project"]["isGenerating"]:
            assert body["project"]["status"] == "ready", body
            return project_id
        time.sleep(0.2)
    raise AssertionError("the project did not finish in 60 s")


IMAGES_LOADED = """Array.from(document.images)
  .filter((i) => i.getAttribute("src") && i.loading !== "lazy")
  .every((i) => i.complete && i.naturalWidth > 0)"""


def wait_until(page: Any, expression: str, timeout: float = 30.0) -> None:
    """Poll a JavaScript expression until it is true.

    Not `page.wait_for_function`: that evaluates its expression with `eval` inside the page,
    which the pages' Content-Security-Policy refuses (no 'unsafe-eval'); `page.evaluate`
    comes from the test driver and is not subject to the page's policy.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(0.02)


def wait_for_images(page: Any) -> None:
    """Wait until every eagerly loaded image with a source has decoded (for screenshots)."""
    wait_until(page, IMAGES_LOADED)
