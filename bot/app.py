"""The composition root: the one place that wires handlers, storage and jobs."""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta
from typing import Any

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults, ExtBot, JobQueue

from bot.alert_path import AlertPathWatch, region_group
from bot.appointments.agenda_messages import PURPOSE_AGENDA
from bot.appointments.messages import PURPOSE_REMINDER, PURPOSE_STAFF_NOTICE, PURPOSE_STAFF_VOICE
from bot.appointments.service import AppointmentService
from bot.appointments.waitlist import PURPOSE_OFFER
from bot.cases.service import Cases
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.contact_safety import ContactSafetyService
from bot.context import SERVICES_KEY, DailyWork, HelplineContext, Services, UserData, services_of
from bot.delivery import Delivery
from bot.domain.contact_safety import Kind
from bot.domain.send_schedule import Window
from bot.feedback import FEEDBACK_ASK, FeedbackService
from bot.forgetting import erase_user_row
from bot.i18n import Texts
from bot.message_log import MessageCapturingRequest, MessageLog
from bot.ops.metrics import CountingRequest, Metrics
from bot.ops.operations import OPERATIONS_KEY, Operations
from bot.rate_limits import SendingRateLimiter
from bot.retention import Retention
from bot.staff_access import StaffDirectory
from bot.update_inbox import PersistentUpdateQueue, StoredFirstRequest
from bot.updates import PerChatUpdateProcessor, end_chat_turn
from handlers.common import emergency_numbers, language_hint, with_quick_exit
from handlers.private import (
    appointments,
    booking,
    contacts,
    conversation,
    danger_heard,
    fallback,
    feedback,
    forget,
    request,
    safety,
    start,
)
from handlers.private import contact_safety as contact_safety_choices
from handlers.private.danger_heard import is_urgent_update
from handlers.staff import agenda, audit, case_tools, fold, health, stats
from handlers.staff import cases as staff_cases
from handlers.staff import help as staff_help
from storage.audit import AuditRepository
from storage.cases import CaseRepository
from storage.cases.notes import CaseNoteRepository
from storage.crypto import TextSealer
from storage.db import Database
from storage.feedback import FeedbackRepository, erase_feedback_of_user
from storage.message_log import MessageLogRepository
from storage.outbox import OutboxRepository
from storage.stats import StatsRepository
from storage.unit_of_work import UnitOfWork
from storage.update_inbox import UpdateInboxStore
from storage.users import UserRepository

logger = logging.getLogger(__name__)

# Used when no token is configured: only the local emulator accepts it.
SANDBOX_TOKEN = "123456:SANDBOX-local-emulator-token"

# How much longer one request may take than another to reach Telegram (seconds): a send
# leaves the limiter's sliding windows this long after it left, not a round trip after
# (bot/domain/send_schedule.py). The overall window's margin of one absorbs a slower one.
SEND_TRANSIT = 0.1

HelplineApplication = Application[Any, HelplineContext, Any, Any, Any, Any]

# The quick exit's group (handlers/private/safety.py): the booking comes right after it.
BOOKING_GROUP = -1
# Before the quick exit's and the booking's group, after nothing: see danger_heard.py.
DANGER_GROUP = -3
# When each update arrived: a group of its own, so it never hides an update from others.
HEARTBEAT_GROUP = -4

_PRIVATE_COMMANDS: tuple[str, ...] = ("start", "help", "language", "sos", "request", "book")
_PRIVATE_COMMANDS += ("appointments", "forget", "contacts", "exit")


def build_application(
    settings: Settings, *, clock: Clock | None = None, texts: Texts | None = None
) -> HelplineApplication:
    """Builds the Application; resources open in post_init and close in post_shutdown."""
    clock = clock or SystemClock()
    texts = texts or Texts.load()
    operations = Operations(settings, clock)
    # Stores each update before Telegram is told it arrived; the processor marks it handled.
    update_queue = PersistentUpdateQueue()

    async def on_handled(update: object) -> None:
        operations.metrics.update_handled()
        await update_queue.mark_handled(update)

    application = (
        ApplicationBuilder()
        .bot(_build_bot(settings, operations.metrics, update_queue))
        .update_queue(update_queue)
        .context_types(ContextTypes(context=HelplineContext, user_data=UserData))
        .concurrent_updates(
            PerChatUpdateProcessor(on_handled=on_handled, is_urgent=is_urgent_update)
        )
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    # Kept until post_init builds the services from them.
    application.bot_data["_boot"] = (settings, clock, texts)
    application.bot_data[OPERATIONS_KEY] = operations

    # Order matters: flows first, the catch-all fallback last.
    for group, early in safety.build_early_handlers(settings).items():
        application.add_handlers(early, group=group)
    # The booking conversation runs before the flows (group 0), behind the quick exit in
    # its group: it must see every command and button of the other flows to stop waiting
    # for a note when the user leaves for one of them (it ends and lets them answer), and
    # what it answers goes no further (ApplicationHandlerStop, handlers/private/booking).
    application.add_handler(booking.build_conversation(), group=BOOKING_GROUP)
    # Behind booking in its group: the feedback's optional line of text, which the flows
    # must not see; after the flows, any other command or button ends the wait for it.
    application.add_handlers(feedback.build_line_handlers(settings), group=BOOKING_GROUP)
    application.add_handlers(feedback.build_leaving_handlers(settings), group=1)

    # Reads every private text for danger before any flow does (the booking conversation
    # in group -1 included), without taking it: a group of its own, before them all.
    application.add_handlers(danger_heard.build_early_handlers(), group=DANGER_GROUP)
    # Notes when each update arrived (is polling alive? /health tells); before all.
    application.add_handlers(health.build_early_handlers(), group=HEARTBEAT_GROUP)
    # The request flow comes before safety, so that /exit also ends a request in progress;
    # the conversation relay comes late: it takes any private message left by the flows.
    for module in (
        feedback,
        appointments,
        start,
        request,
        safety,
        forget,
        contacts,
        contact_safety_choices,
        audit,
        agenda,
        stats,
        # Before the staff relay: a note (a reply starting with //) is never relayed.
        case_tools,
        staff_cases,
        fold,
        staff_help,
        health,
        conversation,
        fallback,
    ):
        application.add_handlers(module.build_handlers(settings))
    application.add_error_handler(_on_error)
    return application


def _build_bot(
    settings: Settings, metrics: Metrics, update_queue: PersistentUpdateQueue
) -> ExtBot[Any]:
    limits = settings.limits
    return ExtBot(
        token=settings.telegram.token or SANDBOX_TOKEN,
        base_url=settings.telegram.base_url,
        defaults=Defaults(
            parse_mode=ParseMode.HTML,
            tzinfo=settings.general.timezone,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        rate_limiter=SendingRateLimiter(
            # Telegram counts any sliding second: one below its limit, for the requests
            # that reach it in another order than they left.
            overall=Window.from_rate(limits.telegram_per_second, 1.0, margin=1),
            group=Window.from_rate(limits.telegram_group_per_minute, 60.0),
            # No window for a private chat: Telegram allows it bursts (about one a second
            # over time), and the bot writes to a person mostly in answer to them; a 429
            # there holds back that chat alone.
            private=None,
            max_retries=3,
            transit=SEND_TRANSIT,
            # A staff group's next update (a take) does not wait for a handler's send slot.
            before_waiting=end_chat_turn,
        ),
        # Many parallel sends; the long poll, and PTB's last getUpdates at stop, which the
        # cancelled poll's connection must not hold up (a PoolTimeout traceback at every stop).
        request=CountingRequest(metrics.rate_limited, connection_pool_size=256),
        get_updates_request=StoredFirstRequest(update_queue, connection_pool_size=2),
    )


async def _post_init(application: HelplineApplication) -> None:
    settings, clock, texts = application.bot_data.pop("_boot")
    operations: Operations = application.bot_data[OPERATIONS_KEY]
    db = await Database.open(settings.storage.path)
    sealer = TextSealer(settings.privacy.data_keys)
    outbox = OutboxRepository(db, sealer)
    delivery = Delivery(outbox, application.bot, clock, settings.timing, metrics=operations.metrics)
    users = UserRepository(db)
    unit_of_work = UnitOfWork(db, sealer, clock.now, delivery.notify)
    # What she said about her safety holds messages to her where the outbox releases them.
    contact_safety = ContactSafetyService.wired(db, unit_of_work.write, clock, settings, delivery)
    contact_safety.kinds |= {PURPOSE_REMINDER: Kind.REMINDER, PURPOSE_OFFER: Kind.QUESTION}
    contact_safety.kinds[FEEDBACK_ASK] = Kind.QUESTION
    cases = Cases(
        write=unit_of_work.write,
        records=CaseRepository(db, sealer),
        users=users,
        outbox=outbox,
        settings=settings,
        texts=texts,
        clock=clock,
        bot=application.bot,
        sealer=sealer,
        notes=CaseNoteRepository(db, sealer),
        safety=contact_safety,
        on_opened=lambda urgent: operations.metrics.case_opened(urgent=urgent),
    )
    feedback_service = FeedbackService(
        repository=FeedbackRepository(db),
        texts=texts,
        clock=clock,
        tz=settings.general.timezone,
        quiet_after_exit=settings.privacy.hold_after_exit,
    )
    # Asked in the closing write, so the question exists if and only if the close does.
    cases.staff_actions.closed_hooks.append(
        lambda tx, case, language: feedback_service.ask(
            tx, user_id=case.user_id or 0, language=language, about="case"
        )
    )
    services = Services(
        settings=settings,
        texts=texts,
        clock=clock,
        db=db,
        bot=application.bot,
        sealer=sealer,
        delivery=delivery,
        staff=StaffDirectory(
            application.bot,
            clock,
            settings.telegram.staff_chat_id,
            settings.telegram.admin_ids,
            admins_by_group={s.staff_chat_id: s.admin_ids for s in settings.staff_sides} or None,
        ),
        users=users,
        outbox=outbox,
        audit=AuditRepository(db),
        stats=StatsRepository(db),
        message_log=MessageLog(MessageLogRepository(db), clock),
        appointments=AppointmentService(
            settings=settings,
            texts=texts,
            clock=clock,
            db=db,
            sealer=sealer,
            unit=unit_of_work,
        ),
        cases=cases,
        metrics=operations.metrics,
        unit_of_work=unit_of_work,
        feedback=feedback_service,
        contact_safety=contact_safety,
    )
    application.bot_data[SERVICES_KEY] = services
    if isinstance(application.bot.request, MessageCapturingRequest):
        application.bot.request.message_log = services.message_log
    services.message_log.start()
    update_queue = application.update_queue
    assert isinstance(update_queue, PersistentUpdateQueue)
    update_queue.attach(UpdateInboxStore(db, sealer), clock.now)
    # Polling stores each getUpdates answer at once; a webhook's update before its 200.
    update_queue.batching = not settings.telegram.webhook_url
    # The features' services hold what they need: the Services argument of the shared
    # hook signatures (due work, retention, erasers) is not passed on to them.
    appointments = services.appointments
    services.hourly_work.append(
        Retention(
            [
                lambda _, now: appointments.reminders.erase_old_notes(now),
                lambda _, now: cases.erase_closed_case_texts(now),
                lambda _, now: update_queue.purge_handled(),
                lambda _, now: feedback_service.purge(
                    now, timedelta(days=settings.privacy.retention_days)
                ),
            ]
        )
    )
    services.due_work += [
        lambda _: cases.escalate_unclaimed_cases(),
        lambda _: cases.resume_stalled_relays(),
        lambda _: delivery.wake_if_held_due(),
    ]
    cases.register_delivery_hooks(delivery)
    # Staff notices, voice notes and agenda messages are remembered by message id (forget-me
    # edits them, or deletes a voice note).
    delivery.on_delivered[PURPOSE_STAFF_NOTICE] = appointments.remember_staff_notice
    delivery.on_delivered[PURPOSE_STAFF_VOICE] = appointments.remember_staff_voice
    delivery.on_delivered[PURPOSE_AGENDA] = appointments.agenda.remember_sent
    services.due_work.append(lambda _: appointments.reminders.send_due())
    # Offers kept through quiet hours go out before holds expire: after a night the bot
    # was down, her offer still goes out (held from then) rather than lapsing unsent.
    services.due_work.append(lambda _: appointments.waitlist.send_morning_offers())
    services.due_work.append(lambda _: appointments.waitlist.expire_holds())
    # Asked in the marking write, so the question exists if and only if the "came" does.
    appointments.agenda.came_hooks.append(feedback_service.ask_after_visit)
    services.daily_work.append(
        DailyWork(settings.booking.agenda_time, lambda _: appointments.agenda.send_morning_agenda())
    )
    # The region group's line of open urgent cases comes with the morning agenda.
    services.daily_work.append(
        DailyWork(settings.booking.agenda_time, lambda _: cases.post_region_daily_line())
    )
    # Before the user row goes: future appointments are found by the user's id.
    services.erasers.append(appointments.eraser)
    services.erasers.append(
        lambda connection, _, user_id, now: cases.erase_user_cases(connection, user_id, now)
    )
    services.erasers.append(
        lambda connection, _, user_id, now: erase_feedback_of_user(connection, user_id)
    )
    services.erasers.append(contact_safety.erase)
    services.erasers.append(erase_user_row)
    operations.attach(services)
    alert_path = AlertPathWatch(
        bot=application.bot,
        db=db,
        settings=settings,
        clock=clock,
        tr=services.tr(settings.general.default_language),
        groups=[*services.cases.staff_sides.all, *region_group(settings)],
    )
    services.due_work.append(lambda _: alert_path.run())
    await _set_commands(application, services)
    # Before polling starts: what was stored and not handled when the bot stopped goes first.
    await update_queue.replay_unhandled(application.bot)
    # Whatever was pending when the bot stopped goes out now.
    delivery.start()
    # At start: can an urgent case reach the staff group at all? (Admins are told if not.)
    await alert_path.check_staff_group()
    if application.job_queue is not None:
        _schedule(application.job_queue, services)
    # Last: it tells systemd the bot is ready.
    await operations.start(application, services)
    logger.info("bot ready (schema version %d)", await db.schema_version())


async def _set_commands(application: HelplineApplication, services: Services) -> None:
    for language in ("kk", "ru"):
        tr = services.tr(language)
        commands = [BotCommand(name, tr(f"command.{name}")) for name in _PRIVATE_COMMANDS]
        await application.bot.set_my_commands(commands, language_code=language)
    tr = services.tr(services.settings.general.default_language)
    await application.bot.set_my_commands(
        [BotCommand(name, tr(f"command.{name}")) for name in _PRIVATE_COMMANDS]
    )


def _schedule(job_queue: JobQueue[HelplineContext], services: Services) -> None:
    """Periodic work through python-telegram-bot's JobQueue, each at its own cadence."""
    settings = services.settings
    tick = settings.timing.tick

    async def every_tick(context: HelplineContext) -> None:
        for work in services.due_work:
            await work(services)

    async def every_hour(context: HelplineContext) -> None:
        for work in services.hourly_work:
            await work(services)

    job_queue.run_repeating(every_tick, interval=tick, first=tick, name="due-work")
    job_queue.run_repeating(every_hour, interval=timedelta(hours=1), first=tick, name="hourly")
    for daily in services.daily_work:

        async def run(context: HelplineContext, daily: DailyWork = daily) -> None:
            await daily.work(services)

        local = daily.at.replace(tzinfo=settings.general.timezone)
        job_queue.run_daily(run, time=local, name="daily")
        job_queue.run_once(run, when=tick, name="daily-catch-up")


async def _post_stop(application: HelplineApplication) -> None:
    await application.bot_data[OPERATIONS_KEY].stopping()
    services = application.bot_data.get(SERVICES_KEY)
    if isinstance(services, Services):
        services.cases.relay.stop()
        await services.delivery.stop()
        await services.message_log.stop()


async def _post_shutdown(application: HelplineApplication) -> None:
    await application.bot_data[OPERATIONS_KEY].stop()
    services = application.bot_data.pop(SERVICES_KEY, None)
    if isinstance(services, Services):
        services.drawing.close()
        await services.delivery.stop()
        await services.message_log.stop()
        await services.db.close()


async def _on_error(update: object, context: HelplineContext) -> None:
    # Only the kind of error: message texts and user ids never reach the log at INFO.
    error = context.error
    if isinstance(error, TelegramError):
        logger.warning("Telegram error while handling an update: %s", type(error).__name__)
    else:
        logger.error("error while handling an update", exc_info=error)
    await _tell_user_something_failed(update, context)


async def _tell_user_something_failed(update: object, context: HelplineContext) -> None:
    """A villager never meets silence: an honest line, the numbers, the quick exit. No
    database read here (it may be what failed): the language is Telegram's hint."""
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != "private":
        return
    try:
        services = context.services
    except RuntimeError:
        return
    tr = services.tr(language_hint(services, update.effective_user))
    text = f"{tr('error.generic')}\n\n{emergency_numbers(services, tr)}"
    with contextlib.suppress(TelegramError):
        await update.effective_chat.send_message(text, reply_markup=with_quick_exit([], tr))


__all__ = ["SANDBOX_TOKEN", "HelplineApplication", "build_application", "services_of"]
