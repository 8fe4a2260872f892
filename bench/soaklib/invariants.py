"""What must hold after the soak, kills included: money, jobs, paid operations, storage."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from bench.soaklib.stack import Stack, pg_fetch

MEDIA_PREFIX = "media/"


def _rows(stack: Stack, query: str) -> list[Any]:
    return asyncio.run(pg_fetch(stack.database, query))


def drain(stack: Stack, timeout: float = 240) -> int:
    """Wait until no job is queued or running; the number still unfinished at the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        [row] = _rows(stack, "SELECT count(*) AS n FROM jobs WHERE status IN ('queued', 'running')")
        if row["n"] == 0 or time.monotonic() > deadline:
            return int(row["n"])
        time.sleep(1)


def check_jobs(stack: Stack) -> list[str]:
    """Every job ended succeeded, or failed and refunded exactly once."""
    problems = []
    for row in _rows(
        stack,
        "SELECT j.id, j.status, j.refunded, "
        "(SELECT count(*) FROM credit_ledger l WHERE l.job_id = j.id AND l.reason = 'refund') "
        "AS refunds FROM jobs j",
    ):
        if row["status"] not in ("succeeded", "failed"):
            problems.append(f"job {row['id']} ended {row['status']}")
        elif row["status"] == "failed" and (not row["refunded"] or row["refunds"] != 1):
            problems.append(
                f"failed job {row['id']}: refunded={row['refunded']}, {row['refunds']} refunds"
            )
        elif row["status"] == "succeeded" and row["refunds"]:
            problems.append(f"succeeded job {row['id']} was refunded")
    return problems


def check_ledger(stack: Stack) -> list[str]:
    """Every user's ledger sums to the balance, and no balance is negative."""
    rows = _rows(
        stack,
        "SELECT u.id, u.credits, COALESCE(SUM(l.delta), 0) AS total FROM users u "
        "LEFT JOIN credit_ledger l ON l.user_id = u.id GROUP BY u.id, u.credits",
    )
    return [
        f"user {r['id']}: balance {r['credits']} != ledger {r['total']}"
        for r in rows
        if r["credits"] != r["total"] or r["credits"] < 0
    ]


def check_paid_operations(stack: Stack) -> tuple[list[str], dict[str, int]]:
    """No video bought twice for one project; image calls no more than the job's attempts."""
    stats = httpx.get(f"{stack.fake_url}/_soak/stats", timeout=10).json()
    problems = [f"{marker}: {n} video creates" for marker, n in stats["video"].items() if n > 1]
    attempts = {
        r["marker"]: r["attempts"]
        for r in _rows(
            stack,
            "SELECT substring(p.product_name from 'soak-[0-9a-f]{10}') AS marker, j.attempts "
            "FROM jobs j JOIN projects p ON p.id = j.project_id WHERE j.kind = 'image'",
        )
    }
    retries = 0
    for marker, calls in stats["image"].items():
        allowed = attempts.get(marker)
        if allowed is not None and calls > allowed * (1 + _fidelity_retries(stack)):
            problems.append(f"{marker}: {calls} image calls for {allowed} attempts")
        retries += max(0, calls - 1)
    summary = {
        "image_calls": sum(stats["image"].values()),
        "video_creates": sum(stats["video"].values()),
        "image_calls_beyond_first": retries,
    }
    return problems, summary


def _fidelity_retries(stack: Stack) -> int:
    return int(stack.env.get("UGC_FIDELITY_RETRIES", "2"))


def check_storage(stack: Stack) -> list[str]:
    """The bucket holds exactly the files of the projects that exist."""
    expected: set[str] = set()
    for row in _rows(stack, "SELECT * FROM projects"):
        for column in (
            "user_image",
            "product_image",
            "generated_image",
            "scene",
            "generated_video",
        ):
            if row.get(column):
                expected.add(MEDIA_PREFIX + row[column])
    stored: set[str] = set()
    paginator = stack.s3().get_paginator("list_objects_v2")  # type: ignore[attr-defined]
    for page in paginator.paginate(Bucket=stack.bucket):
        stored.update(o["Key"] for o in page.get("Contents", []))
    orphans = sorted(stored - expected)
    missing = sorted(expected - stored)
    return [f"orphan object {k}" for k in orphans[:20]] + [
        f"missing object {k}" for k in missing[:20]
    ]
