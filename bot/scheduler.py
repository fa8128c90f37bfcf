"""APScheduler wiring of the reminder sweep (`run_sweep`) and of the outbox's delivery
worker (`deliver`: what Slack did not take at once, retried every few seconds).

The job store holds nothing of value: the database says what is due and what was
sent, so a restarted scheduler, or one scheduler per web process, sends nothing
twice and loses nothing (see bot/sweep.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from slack_sdk import WebClient

from bot.config import Settings
from bot.delivery import deliver
from bot.runtime import Runtime, clock_starting_at
from bot.services.analytics import summary
from bot.slack_client import make_client
from bot.sweep import run_sweep

log = logging.getLogger(__name__)

#: How often the sweep runs. Reminders are due by the day or the hour, so a few minutes
#: is prompt enough, and a sweep with nothing due costs a few queries.
SWEEP_INTERVAL_SECONDS = 300
JOB_ID = "reminder-sweep"
#: How often the outbox is looked at for messages to retry: a message Slack did not
#: take goes out within seconds of its backoff ending. Nothing due costs one query.
DELIVERY_INTERVAL_SECONDS = 5
DELIVERY_JOB_ID = "outbox-delivery"


def sweep_once(runtime: Runtime, client: WebClient) -> None:
    """The job: one sweep, then the analytics summary App Home reads, refreshed if the
    data changed; a failure is logged and the next run tries again."""
    try:
        report = run_sweep(runtime, client, list_held=False)
    except Exception:
        log.exception("reminder sweep failed; the next run will try again")
    else:
        if report.deliveries or not report.ran:
            log.info("reminder sweep: %s", report.summary())
    refresh_summary(runtime)


def refresh_summary(runtime: Runtime, *, now: datetime | None = None) -> None:
    """The program-wide figures App Home shows, recomputed when stale, as of `now`
    (default: the runtime's clock); a failure is logged, never raised."""
    try:
        with runtime.db() as db:
            summary.refresh_if_stale(db, now=now or runtime.now())
    except Exception:
        log.exception("analytics summary refresh failed; the next sweep will try again")


def deliver_once(runtime: Runtime, client: WebClient) -> None:
    """The delivery job: post what the outbox holds that is due; a failure is logged
    and the next run tries again."""
    try:
        report = deliver(runtime, client)
    except Exception:
        log.exception("outbox delivery failed; the next run will try again")
        return
    if report.sent or report.waiting:
        log.info("outbox: %s", report.summary())


def add_sweep_job(
    scheduler: BaseScheduler,
    runtime: Runtime,
    client: WebClient,
    interval_seconds: int = SWEEP_INTERVAL_SECONDS,
) -> None:
    """The sweep's interval job and the outbox's; one run of each at a time, missed
    runs collapse into one."""
    for job, job_id, seconds in (
        (sweep_once, JOB_ID, interval_seconds),
        (deliver_once, DELIVERY_JOB_ID, DELIVERY_INTERVAL_SECONDS),
    ):
        scheduler.add_job(
            job,
            "interval",
            seconds=seconds,
            args=(runtime, client),
            id=job_id,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=seconds,
            next_run_time=datetime.now(UTC),
        )


def start_in_background(
    settings: Settings,
    runtime: Runtime,
    app: object,
    *,
    interval_seconds: int = SWEEP_INTERVAL_SECONDS,
) -> Callable[[], None]:
    """Start the sweep beside `mentorbot serve`; returns the function that stops it."""
    client = getattr(app, "client", None)
    if not isinstance(client, WebClient):
        client = make_client(settings)
    scheduler = BackgroundScheduler(timezone=UTC)
    add_sweep_job(scheduler, runtime, client, interval_seconds)
    scheduler.start()
    log.info("reminder sweep scheduled every %s s", interval_seconds)

    def stop() -> None:
        scheduler.shutdown(wait=True)

    return stop


def run_forever(
    settings: Settings,
    *,
    interval_seconds: int = SWEEP_INTERVAL_SECONDS,
    starting_at: datetime | None = None,
) -> None:
    """`mentorbot scheduler`: the sweep alone, for deployments that keep it out of the
    web processes. Runs until interrupted; with `starting_at`, the sweep's clock starts
    at that instant and runs on from there (`--now`)."""
    runtime = Runtime.from_settings(settings)
    if starting_at is not None:
        runtime.clock = clock_starting_at(starting_at)
        log.info("sweep clock starts at %s and runs on from there", starting_at.isoformat())
    scheduler = BlockingScheduler(timezone=UTC)
    add_sweep_job(scheduler, runtime, make_client(settings), interval_seconds)
    log.info("reminder sweep running every %s s; Ctrl-C stops it", interval_seconds)
    scheduler.start()  # blocks; Ctrl-C ends it (the CLI turns that into exit status 130)
