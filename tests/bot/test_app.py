"""The composition root schedules the periodic work through the JobQueue, each at its pace."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import Harness


async def test_periodic_work_is_scheduled_by_cadence(bot: Harness) -> None:
    application = bot.application
    assert application is not None and application.job_queue is not None
    jobs = {job.name: job for job in application.job_queue.jobs()}
    assert {"due-work", "hourly", "daily", "daily-catch-up"} <= set(jobs)
    services = bot.services
    assert services.due_work and services.hourly_work and services.daily_work
    # The morning agenda runs daily at the configured local time.
    agenda_time = bot.settings.booking.agenda_time
    daily = repr(jobs["daily"].job.trigger)
    assert f"hour='{agenda_time.hour}', minute='{agenda_time.minute}'" in daily
    assert "timezone='Asia/Almaty'" in daily
    hourly = jobs["hourly"].job.trigger
    assert hourly.interval == timedelta(hours=1)


async def test_run_due_work_runs_every_cadence(bot: Harness) -> None:
    ran: list[str] = []

    async def note(name: str) -> None:
        ran.append(name)

    services = bot.services
    services.due_work.append(lambda _: note("tick"))
    services.hourly_work.append(lambda _: note("hour"))
    from bot.context import DailyWork

    services.daily_work.append(DailyWork(bot.settings.booking.agenda_time, lambda _: note("day")))
    await bot.run_due_work()
    assert ran == ["tick", "hour", "day"]
