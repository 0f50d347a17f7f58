"""The metrics' own API: each bot counts in its own registry, labels are kinds only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families

from bot.clock import ManualClock
from bot.ops.metrics import FAILED, SENT, Metrics

START = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)


def samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(metrics.render().decode())
        for sample in family.samples
    }


def test_two_bots_count_apart() -> None:
    clock = ManualClock(START)
    first, second = Metrics(clock), Metrics(clock)
    first.update_handled()
    first.update_handled()
    second.update_handled()
    assert samples(first)[("helpline_updates_handled_total", ())] == 2
    assert samples(second)[("helpline_updates_handled_total", ())] == 1
    assert first.last_update_at == START


def test_each_counter_counts_what_its_call_says() -> None:
    metrics = Metrics(ManualClock(START))
    metrics.send_attempted("appointment_reminder", SENT)
    metrics.send_attempted("case_user", FAILED)
    metrics.rate_limited()
    metrics.reminder_sent()
    metrics.case_opened(urgent=True)
    metrics.case_opened(urgent=False)
    metrics.case_opened(urgent=False)
    metrics.backup_made(START)
    metrics.outbox_backlog(3, timedelta(seconds=75))
    metrics.alert_accepted(timedelta(seconds=45))
    found = samples(metrics)
    sends = "helpline_sends_total"
    assert found[(sends, (("kind", "appointment_reminder"), ("result", SENT)))] == 1
    assert found[(sends, (("kind", "case_user"), ("result", FAILED)))] == 1
    assert found[("helpline_telegram_429_total", ())] == 1
    assert found[("helpline_reminders_sent_total", ())] == 1
    assert found[("helpline_cases_opened_total", (("urgent", "true"),))] == 1
    assert found[("helpline_cases_opened_total", (("urgent", "false"),))] == 2
    assert found[("helpline_last_backup_timestamp_seconds", ())] == START.timestamp()
    assert found[("helpline_outbox_backlog", ())] == 3
    assert found[("helpline_outbox_oldest_pending_age_seconds", ())] == 75
    assert found[("helpline_alert_latency_seconds_bucket", (("le", "30.0"),))] == 0
    assert found[("helpline_alert_latency_seconds_bucket", (("le", "60.0"),))] == 1
