"""Prometheus metrics of the job system."""

from prometheus_client import Counter, Histogram

JOBS_TOTAL = Counter("ugc_jobs_total", "Generation jobs by kind and outcome", ["kind", "outcome"])
JOB_DURATION = Histogram(
    "ugc_job_duration_seconds",
    "Time a job attempt spends in its engine",
    ["kind"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600),
)
