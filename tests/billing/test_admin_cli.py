"""`ugc billing purchases`: the operator sees what refunds could not take back."""

from __future__ import annotations

import subprocess

import pytest

from tests.billing.helpers import buyer_with_paid_session, post_event
from tests.jobs.worker_process import UGC, settings_env
from tests.support import create_project, wait_for_project

pytestmark = pytest.mark.xdist_group("cli")


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(UGC), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


async def test_purchases_listing_shows_the_shortfall(make_client, settings_factory, fake_stripe):
    overrides = {"image_cost": 30, **fake_stripe.settings_overrides()}
    client = await make_client(**overrides)
    env = settings_env(settings_factory(**overrides))
    assert "No purchases yet." in _run(env, "billing", "purchases").stdout

    user, session_id, event = await buyer_with_paid_session(client, fake_stripe, "starter")
    await post_event(client, event)
    project_id = (await create_project(client)).json()["projectId"]
    await wait_for_project(client, project_id)  # 45 - 30: 15 left of the 25 bought
    client.cookies.clear()
    _, _, other = await buyer_with_paid_session(client, fake_stripe, "creator")
    await post_event(client, other)  # bought, never refunded
    await post_event(client, fake_stripe.refund_event(session_id))

    everything = _run(env, "billing", "purchases")
    assert everything.returncode == 0, everything.stderr
    assert "Creator" in everything.stdout and "Starter" in everything.stdout
    short = _run(env, "billing", "purchases", "--shortfall")
    assert short.returncode == 0, short.stderr
    [line] = [row for row in short.stdout.splitlines() if user["email"] in row]
    cells = [cell.strip() for cell in line.strip("│ ").split("│")]
    assert cells[2:] == ["Starter", "25", "$10", "refunded", "15", "10"]
    assert "Creator" not in short.stdout
