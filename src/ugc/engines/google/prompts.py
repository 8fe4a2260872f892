"""Every prompt the Google engines send, in one place, so they can be read and reviewed whole.

The image prompt follows the original design: a photo-real picture of the person naturally
holding or using the product, with matching light, shadows, scale and perspective, the two
photos labelled, and the product kept exactly as photographed. The video prompt describes a
handheld user-generated-content shot and forbids on-screen text. `emphasis` > 0 is a retry
after the fidelity check found the product changed: the prompt then insists harder.
"""

from __future__ import annotations

IMAGE_INSTRUCTIONS = (
    "The first image is the person. The second image is the product.\n"
    "Create a realistic photo of the person from the first image naturally holding or "
    "using the product from the second image, as in a genuine user-generated-content ad.\n"
    "Match lighting, shadows, scale and perspective so the product sits naturally in the "
    "person's hands and scene. Keep the person's face, skin tone, hair and body unchanged.\n"
    "Keep the product exactly as in its photo: the same label, text, logo, colours and "
    "shape; do not redesign, restyle or invent packaging.\n"
    "Sharp focus, natural skin texture, UGC / e-commerce quality, no added text or watermarks."
)

IMAGE_EMPHASIS = (
    "IMPORTANT: an earlier attempt altered the product. The product must be a faithful copy "
    "of the second image: every letter of the label, the logo, each colour and the outline "
    "exactly as photographed, fully visible and not covered by fingers. Change the pose, the "
    "hands or the scene if needed, never the product."
)

VIDEO_SHOT = (
    "A user-generated-content video shot on a handheld smartphone: the person in this image "
    "presents the product {product} to the camera, holds it up, turns it slightly to show "
    "it, and reacts genuinely. Natural light, gentle handheld camera motion, realistic skin "
    "and hands."
)
VIDEO_SPEECH = (
    "The person speaks naturally to the camera, like a friend recommending something, in a "
    "short and casual sentence or two about the product."
)
VIDEO_SILENT = "No dialogue: the person does not speak; only natural ambient sound."
VIDEO_RULES = (
    "Keep the product's label, colours and shape exactly as in the image, and keep the "
    "person's face and identity unchanged. No on-screen text, captions, subtitles, logos "
    "or watermarks."
)
VIDEO_EMPHASIS = (
    "IMPORTANT: the product must stay identical to the image in every frame, including the "
    "last: same label, text and colours, never morphing or covered."
)


def _user_lines(product_name: str, description: str, prompt: str) -> list[str]:
    lines = [f"Product name: {product_name.strip()}"]
    if description.strip():
        lines.append(f"Product description: {description.strip()}")
    if prompt.strip():
        lines.append(f"Additional direction from the user: {prompt.strip()}")
    return lines


def image_prompt(product_name: str, description: str, prompt: str, emphasis: int = 0) -> str:
    """The labelled instruction text sent after the person and product photos."""
    lines = [IMAGE_INSTRUCTIONS]
    if emphasis > 0:
        lines.append(IMAGE_EMPHASIS)
    lines += ["", *_user_lines(product_name, description, prompt)]
    return "\n".join(lines)


def video_prompt(
    product_name: str, description: str, prompt: str, *, speech: bool = True, emphasis: int = 0
) -> str:
    """The image-to-video prompt: a handheld UGC shot presenting the product, no text on screen."""
    product = product_name.strip()
    if description.strip():
        product += f" ({description.strip()})"
    lines = [VIDEO_SHOT.format(product=product), VIDEO_SPEECH if speech else VIDEO_SILENT]
    lines.append(VIDEO_RULES)
    if emphasis > 0:
        lines.append(VIDEO_EMPHASIS)
    if prompt.strip():
        lines.append(f"Additional direction from the user: {prompt.strip()}")
    return "\n".join(lines)
