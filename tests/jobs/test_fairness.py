"""One user's batch takes turns with other users' work instead of filling every worker."""

from __future__ import annotations

import json

import httpx

from tests.support import create_project, person_photo, product_photo, signup, wait_for_project


async def test_a_batch_of_variants_does_not_starve_another_users_ad(make_client) -> None:
    # Two job slots, at most one per user: the batch may hold one, the other user's ad the other.
    batch_owner = await make_client(worker_threads=2, jobs_per_user=1, signup_credits=40)
    await signup(batch_owner)
    other = httpx.AsyncClient(transport=batch_owner._transport, base_url="http://testserver")
    async with other:
        await signup(other)
        batch = await batch_owner.post(
            "/api/project/variants",
            data={
                "productName": "Aqua Bottle",
                "variants": json.dumps(
                    [{"aspectRatio": "9:16", "prompt": f"Hook {i}"} for i in range(6)]
                ),
            },
            files={
                "userImage": ("person.jpg", person_photo(), "image/jpeg"),
                "productImage": ("product.png", product_photo(), "image/png"),
            },
        )
        assert batch.status_code == 201, batch.text
        single = (await create_project(other)).json()["projectId"]
        mine = await wait_for_project(other, single, within=120)
        assert mine["status"] == "ready"
        variants = [
            (await batch_owner.get(f"/api/user/projects/{pid}")).json()["project"]
            for pid in batch.json()["projectIds"]
        ]
        # Queued behind six variants in one FIFO queue it would have been last; with turns
        # taken, most of the batch is still waiting when the other user's ad is ready.
        unfinished = [v for v in variants if v["status"] != "ready"]
        assert len(unfinished) >= 3, [v["status"] for v in variants]
        for project_id in batch.json()["projectIds"]:
            await wait_for_project(batch_owner, project_id, within=180)
