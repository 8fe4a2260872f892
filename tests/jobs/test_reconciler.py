"""The reconciler runs jobs whose message never reached a worker."""

from __future__ import annotations

import uuid

import pytest

from tests.support import create_project, signup, wait_for_project

pytestmark = pytest.mark.xdist_group("redis-workers")


async def test_queued_job_without_a_worker_runs_after_an_embedded_restart(make_client):
    # The message goes to a Redis namespace no worker ever reads: as good as lost.
    orphaned = await make_client(
        queue_url="redis://127.0.0.1:6379/0", queue_namespace=f"ugc-lost-{uuid.uuid4().hex[:8]}"
    )
    await signup(orphaned)
    project_id = (await create_project(orphaned)).json()["projectId"]
    stuck = (await orphaned.get(f"/api/user/projects/{project_id}")).json()["project"]
    assert stuck["status"] == "queued"

    # A new embedded process on the same database re-sends it at start-up.
    restarted = await make_client()
    restarted.cookies = orphaned.cookies
    project = await wait_for_project(restarted, project_id)
    assert project["status"] == "ready", project["error"]
    assert (await restarted.get("/api/user/credits")).json() == {"credits": 15}
