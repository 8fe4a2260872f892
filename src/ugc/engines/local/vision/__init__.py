"""The vision stage: what a person photo shows (mask, body, hands, faces), computed once.

MediaPipe's TFLite models run on LiteRT; their graphs' pre- and post-processing (letterbox,
anchors, rotated crops, landmark decoding) is re-done here in typed code. `make models`
installs the model files; `check_models` refuses to start without them.
"""

from __future__ import annotations

from ugc.engines.local.vision.analysis import MAX_SIDE, analyse_person
from ugc.engines.local.vision.models import ModelsUnavailable, check_models
from ugc.engines.local.vision.types import Face, Hand, PersonVision

__all__ = [
    "MAX_SIDE",
    "Face",
    "Hand",
    "ModelsUnavailable",
    "PersonVision",
    "analyse_person",
    "check_models",
]
