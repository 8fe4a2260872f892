"""The limits the server enforces, as the pages show them and their scripts check them."""

from __future__ import annotations

from dataclasses import dataclass

from annotated_types import MaxLen
from pydantic import BaseModel

from ugc.auth.schemas import NewToken
from ugc.config import Settings
from ugc.projects.service import MAX_NAME, MAX_TEXT
from ugc.projects.uploads import MAX_PIXELS, MIN_SHORT_SIDE


@dataclass(frozen=True, slots=True)
class FormLimits:
    """One source for every number a form states: the checks the server runs."""

    min_side_px: int
    max_megapixels: int
    max_name_chars: int
    max_text_chars: int
    max_upload_mb: float
    max_token_name_chars: int

    @property
    def upload_mb_label(self) -> str:
        """'5' for 5.0 MB, '2.5' for 2.5 MB."""
        return f"{self.max_upload_mb:g}"


def form_limits(settings: Settings) -> FormLimits:
    """The limits of this server's settings and upload checks."""
    return FormLimits(
        min_side_px=MIN_SHORT_SIDE,
        max_megapixels=MAX_PIXELS // 1_000_000,
        max_name_chars=MAX_NAME,
        max_text_chars=MAX_TEXT,
        max_upload_mb=settings.max_upload_mb,
        max_token_name_chars=_max_length(NewToken, "name"),
    )


def _max_length(model: type[BaseModel], field: str) -> int:
    """The `max_length` a schema states for a field (the API checks that very number)."""
    for rule in model.model_fields[field].metadata:
        if isinstance(rule, MaxLen):
            return rule.max_length
    raise ValueError(f"{model.__name__}.{field} has no max_length")
