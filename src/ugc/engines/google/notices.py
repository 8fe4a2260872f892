"""What Google's webhook says: which interaction ended (the payload is thin by design).

A delivery names the event and the interaction (`{"type": "interaction.completed",
"data": {"id": "v1_..."}}`); the result itself is read with `interactions.get`, as ever.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

# Only these end a video interaction; other events (batches, requires_action) are not ours.
ENDING_EVENTS = ("interaction.completed", "interaction.failed")


class UnreadableEvent(ValueError):
    """The delivery's body is not a JSON object."""


@dataclass(frozen=True, slots=True)
class InteractionEnded:
    """An interaction finished, well or not."""

    event: str
    interaction_id: str


def interaction_ended(body: bytes) -> InteractionEnded | None:
    """The ended interaction a delivery reports, or None for any other event."""
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise UnreadableEvent("The webhook body is not JSON.") from exc
    if not isinstance(payload, dict):
        raise UnreadableEvent("The webhook body is not an event.")
    event = payload.get("type")
    data = payload.get("data")
    interaction_id = data.get("id") if isinstance(data, dict) else None
    if event not in ENDING_EVENTS or not isinstance(interaction_id, str) or not interaction_id:
        return None
    return InteractionEnded(str(event), interaction_id[:255])
