"""POST /api/webhooks/google: Google's word that an Omni video interaction ended."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request

from ugc.db.session import SessionDep
from ugc.deps import SettingsDep
from ugc.engines.google.notices import UnreadableEvent, interaction_ended
from ugc.errors import InvalidSignature, NotConfigured, documented
from ugc.jobs.notices import NoticeBoard, accept_notice
from ugc.webhooks.signing import SignatureRefused, verify

log = logging.getLogger(__name__)

router = APIRouter(tags=["projects"])
SIGNED_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


@router.post("/api/webhooks/google", responses=documented(InvalidSignature, NotConfigured))
async def google_webhook(
    request: Request, session: SessionDep, settings: SettingsDep
) -> dict[str, bool | str]:
    """Google's interaction.completed / interaction.failed (Standard Webhooks signature).

    The video job waiting on that interaction checks it at once instead of at its next
    slow poll. A repeated delivery (same webhook-id) and an interaction no job waits on
    are answered 200 and change nothing.
    """
    if settings.gemini_webhook_secret is None:
        raise NotConfigured("Google webhooks are not set up on this server.")
    body = await request.body()
    headers = {name: request.headers.get(name, "") for name in SIGNED_HEADERS}
    try:
        verify(settings.gemini_webhook_secret.get_secret_value(), headers, body)
        ended = interaction_ended(body)
    except SignatureRefused as exc:
        raise InvalidSignature(f"The webhook signature was refused: {exc}.") from None
    except UnreadableEvent as exc:
        raise InvalidSignature(str(exc)) from None
    if ended is None:
        return {"received": True, "outcome": "ignored"}
    board: NoticeBoard = request.app.state.queue.notice_board
    outcome = await accept_notice(
        session, board, headers["webhook-id"], ended.interaction_id, ended.event
    )
    log.info(
        "google webhook",
        extra={
            "event": ended.event,
            "interaction": ended.interaction_id,
            "webhook_id": headers["webhook-id"],
            "outcome": outcome,
        },
    )
    return {"received": True, "outcome": outcome}
