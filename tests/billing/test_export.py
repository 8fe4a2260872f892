"""GET /api/user/export: a ZIP of everything the account holds, and nothing of anyone else's."""

from __future__ import annotations

import io
import json
import zipfile

from tests.billing.helpers import buyer_with_paid_session, post_event
from tests.support import create_project, signup, wait_for_project


async def test_export_holds_profile_ledger_purchases_projects_and_media(make_client, fake_stripe):
    client = await make_client(**fake_stripe.settings_overrides())
    other = await make_client(**fake_stripe.settings_overrides())
    await signup(other)
    foreign = (await create_project(other)).json()["projectId"]
    user, session_id, event = await buyer_with_paid_session(client, fake_stripe, "starter")
    await post_event(client, event)
    project_id = (await create_project(client, productName="Zip Bottle")).json()["projectId"]
    await wait_for_project(client, project_id)
    await client.post("/api/project/video", json={"projectId": project_id})
    project = await wait_for_project(client, project_id, within=120)
    assert project["generatedVideo"], project["error"]
    await wait_for_project(other, foreign)

    response = await client.get("/api/user/export")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith('attachment; filename="ugc-studio')
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    names = set(archive.namelist())
    profile = json.loads(archive.read("profile.json"))
    assert (profile["email"], profile["credits"]) == (user["email"], 20 + 25 - 5 - 10)
    ledger = json.loads(archive.read("ledger.json"))
    assert sum(row["delta"] for row in ledger) == profile["credits"]
    assert {"purchase", "signup", "image", "video"} == {row["reason"] for row in ledger}
    assert [r["reference"] for r in ledger if r["reason"] == "purchase"] == [session_id]
    [purchase] = json.loads(archive.read("purchases.json"))
    assert (purchase["pack"], purchase["amount"], purchase["checkoutSessionId"]) == (
        "Starter",
        1000,
        session_id,
    )
    [record] = json.loads(archive.read("projects.json"))
    assert (record["id"], record["productName"]) == (project_id, "Zip Bottle")
    media = record["media"]
    assert set(media) == {"person", "product", "image", "video"}
    assert set(media.values()) <= names
    assert archive.read(media["person"])[:2] == b"\xff\xd8"  # the uploaded JPEG
    assert archive.read(media["image"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert archive.read(media["video"])[4:8] == b"ftyp"
    assert not any(foreign in name for name in names)


async def test_export_needs_a_signed_in_user(client):
    assert (await client.get("/api/user/export")).status_code == 401
