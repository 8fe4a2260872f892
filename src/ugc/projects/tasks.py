"""The projects domain's job kinds: generate the image, generate the video.

`register_generation_jobs()` hands them to the job system; the job system calls back
here for every step, and every project write goes through the lifecycle.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from ugc.credits.models import LedgerReason
from ugc.credits.service import add_credits
from ugc.engines.base import AspectRatio, ImageRequest, VideoRequest
from ugc.jobs.context import JobContext, ProgressTracker
from ugc.jobs.handlers import register_handler
from ugc.jobs.models import Job
from ugc.jobs.repository import JobRepository
from ugc.projects import lifecycle
from ugc.projects.lifecycle import Outcome
from ugc.projects.models import JobKind, Project
from ugc.projects.quality import produce_image, produce_video


def _aspect(project: Project) -> AspectRatio:
    value = project.aspect_ratio
    assert value in ("9:16", "16:9", "1:1")
    return value  # type: ignore[return-value]


async def _project(ctx: JobContext, job: Job) -> Project:
    async with ctx.db.session() as session:
        project = await session.get(Project, job.project_id)
    if project is None:
        raise LookupError(f"project {job.project_id} of job {job.id} is gone")
    return project


def _attempt_name(job: Job, attempt: int) -> str:
    """Media of a job's attempt are named by the job and the attempt: an attempt killed after
    storing its files (a crash runs no clean-up) left them under names the next one knows."""
    return f"{job.id.hex}-{attempt}"


def _image_keys(name: str) -> tuple[str, str]:
    return f"images/{name}.png", f"images/{name}.scene"


def _video_keys(name: str) -> tuple[str]:
    return (f"videos/{name}.mp4",)


async def _remove_earlier_attempts(
    ctx: JobContext, job: Job, keys_of: Callable[[str], tuple[str, ...]]
) -> None:
    """Delete what earlier attempts of this job may have stored. None of it is in use: an
    attempt whose result was kept ended the job, and this attempt would not be running."""
    for attempt in range(1, job.attempts):
        for key in keys_of(_attempt_name(job, attempt)):
            await ctx.storage.delete(key)


async def generate_image(ctx: JobContext, job: Job, progress: ProgressTracker) -> Outcome:
    """Compose the ad image and store it (and the engine's scene data)."""
    project = await _project(ctx, job)
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
        caption=project.show_caption,
    )
    # The engine's image, checked against the product photo (and made again if it drifted).
    result = await produce_image(
        ctx.settings, ctx.image_engine, request, progress, paid=job.cost > 0
    )
    progress("saving image", 0.98)
    await ctx.ensure_wanted(job.id)  # deleted meanwhile: store nothing
    await _remove_earlier_attempts(ctx, job, _image_keys)
    image, scene_key = _image_keys(_attempt_name(job, job.attempts))
    await ctx.storage.put(image, result.png, "image/png")
    scene: str | None = None
    if result.scene is not None:
        scene = scene_key
        await ctx.storage.put(scene, result.scene, "application/octet-stream")
    return Outcome(image=image, scene=scene, described=result.fields)


async def generate_video(ctx: JobContext, job: Job, progress: ProgressTracker) -> Outcome:
    """Animate the project's image and store the MP4."""
    project = await _project(ctx, job)
    if project.generated_image is None:
        raise ValueError("video job for a project without an image")
    progress("reading image", 0.01)

    async def save_checkpoint(token: str, operation_id: str | None = None) -> None:
        async with ctx.db.session() as session:
            await JobRepository(session).save_checkpoint(job.id, token, operation_id)
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
        wait_for_notice=ctx.notice_waiter(),
        project_id=str(project.id),
        job_id=str(job.id),
    )
    product = await ctx.storage.get(project.product_image)
    result = await produce_video(ctx.settings, ctx.video_engine, request, product, progress)
    progress("saving video", 0.99)
    await ctx.ensure_wanted(job.id)  # deleted meanwhile: store nothing
    await _remove_earlier_attempts(ctx, job, _video_keys)
    [key] = _video_keys(_attempt_name(job, job.attempts))
    await ctx.storage.put(key, result.mp4, "video/mp4")
    return Outcome(video=key, described=result.fields)


class GenerationHandler:
    """A project generation job: lifecycle transitions around an engine call."""

    def __init__(self, kind: JobKind) -> None:
        self.kind = kind

    async def started(self, session: AsyncSession, job: Job) -> bool:
        """Mark the project generating; False when it is gone."""
        return await lifecycle.mark_generating(session, job.project_id) is not None

    async def run(self, ctx: JobContext, job: Job, progress: ProgressTracker) -> object:
        """Call the engine for this kind."""
        if self.kind == JobKind.VIDEO:
            return await generate_video(ctx, job, progress)
        return await generate_image(ctx, job, progress)

    async def report_progress(
        self, session: AsyncSession, job: Job, step: str, fraction: float
    ) -> None:
        """The engine's words and fraction on the project."""
        await lifecycle.report_progress(session, job.project_id, step, fraction)

    async def succeeded(self, session: AsyncSession, job: Job, result: object) -> None:
        """Store the media on the project: ready."""
        assert isinstance(result, Outcome)
        await lifecycle.mark_ready(session, job.project_id, job, result)

    async def discard(self, ctx: JobContext, result: object) -> None:
        """Delete the files of a result that was superseded."""
        if isinstance(result, Outcome):
            for key in result.stored_keys:
                await ctx.storage.delete(key)

    async def retrying(self, session: AsyncSession, job: Job) -> None:
        """Queued again after a transient error."""
        await lifecycle.mark_retrying(session, job.project_id)

    async def requeued(self, session: AsyncSession, job: Job) -> None:
        """Queued again after its worker stopped."""
        await lifecycle.mark_resuming(session, job.project_id)

    async def failed(self, session: AsyncSession, job: Job, reason: str, refund: bool) -> None:
        """Refund the reservation (once: `refund` is the job's guard), then tell the project."""
        refunded = refund and job.cost > 0
        if refunded:
            await add_credits(
                session,
                job.user_id,
                job.cost,
                LedgerReason.REFUND,
                project_id=job.project_id,
                job_id=job.id,
            )
        await lifecycle.mark_failed(session, job.project_id, job, reason, refunded)


def register_generation_jobs() -> None:
    """Register the image and video job kinds with the job system."""
    for kind in JobKind:
        register_handler(kind.value, GenerationHandler(kind))
