"""The generation work of a job: read inputs, call the engine, store what it made."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from ugc.engines.base import AspectRatio, ImageRequest, VideoRequest
from ugc.jobs.context import JobContext, ProgressTracker
from ugc.jobs.models import Job, JobKind
from ugc.jobs.repository import JobRepository
from ugc.projects.models import Project


@dataclass
class Outcome:
    """Project fields to set on success, and the storage keys written for them."""

    fields: dict[str, Any]
    stored_keys: list[str] = field(default_factory=list)


def _aspect(project: Project) -> AspectRatio:
    value = project.aspect_ratio
    assert value in ("9:16", "16:9", "1:1")
    return value  # type: ignore[return-value]


async def generate_image(
    ctx: JobContext, job: Job, project: Project, progress: ProgressTracker
) -> Outcome:
    """Compose the ad image and store it (and the engine's scene data)."""
    progress("reading photos", 0.02)
    request = ImageRequest(
        person=await ctx.storage.get(project.user_image),
        product=await ctx.storage.get(project.product_image),
        product_name=project.product_name,
        product_description=project.product_description,
        prompt=project.user_prompt,
        aspect_ratio=_aspect(project),
        project_id=str(project.id),
        job_id=str(job.id),
    )
    result = await ctx.image_engine.compose(request, progress)
    progress("saving image", 0.98)
    await ctx.ensure_wanted(job.id)  # deleted meanwhile: store nothing
    name = uuid.uuid4().hex
    outcome = Outcome(fields={"generated_image": f"images/{name}.png", "scene": None})
    await ctx.storage.put(f"images/{name}.png", result.png, "image/png")
    outcome.stored_keys.append(f"images/{name}.png")
    if result.scene is not None:
        await ctx.storage.put(f"images/{name}.scene", result.scene, "application/octet-stream")
        outcome.fields["scene"] = f"images/{name}.scene"
        outcome.stored_keys.append(f"images/{name}.scene")
    return outcome


async def generate_video(
    ctx: JobContext, job: Job, project: Project, progress: ProgressTracker
) -> Outcome:
    """Animate the project's image and store the MP4."""
    if project.generated_image is None:
        raise ValueError("video job for a project without an image")
    progress("reading image", 0.01)

    async def save_checkpoint(token: str) -> None:
        async with ctx.db.session() as session:
            await JobRepository(session).save_checkpoint(job.id, token)
            await session.commit()

    request = VideoRequest(
        image=await ctx.storage.get(project.generated_image),
        scene=await ctx.storage.get(project.scene) if project.scene else None,
        product_name=project.product_name,
        product_description=project.product_description,
        prompt=project.user_prompt,
        aspect_ratio=_aspect(project),
        checkpoint=job.checkpoint,
        save_checkpoint=save_checkpoint,
        project_id=str(project.id),
        job_id=str(job.id),
    )
    result = await ctx.video_engine.animate(request, progress)
    progress("saving video", 0.99)
    await ctx.ensure_wanted(job.id)  # deleted meanwhile: store nothing
    key = f"videos/{uuid.uuid4().hex}.mp4"
    await ctx.storage.put(key, result.mp4, "video/mp4")
    return Outcome(fields={"generated_video": key}, stored_keys=[key])


async def run_generation(
    ctx: JobContext, job: Job, project: Project, progress: ProgressTracker
) -> Outcome:
    """Dispatch by job kind."""
    if job.kind == JobKind.VIDEO:
        return await generate_video(ctx, job, project, progress)
    return await generate_image(ctx, job, project, progress)
