"""The command line: `helpline-bot run | check-config | demo | backup | restore | setup | ...`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.config import (
    ConfigError,
    Settings,
    config_warnings,
    default_config_path,
    load_settings,
    real_staff_groups,
)
from storage.backup_files import online_backup

logger = logging.getLogger("bot")

EXAMPLE_CONFIG = "config.example.toml"


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request URL at INFO, and the URL carries the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # The poster's PDF: fontTools tells every glyph it keeps of the embedded font at INFO.
    logging.getLogger("fontTools").setLevel(logging.WARNING)


def _quiet_for_chat(verbose: bool) -> None:
    """The terminal is a chat window in the sandbox: only warnings interrupt it."""
    if not verbose:
        logging.getLogger().setLevel(logging.WARNING)


def example_config_folders() -> list[Path]:
    """The current folder, the checkout the package came from, and where `pip install .`
    puts the example (pyproject's data-files: share/helpline-bot, as in the container)."""
    return [
        Path.cwd(),
        Path(__file__).resolve().parent.parent,
        Path(sys.prefix) / "share" / "helpline-bot",
    ]


def find_example_config() -> Path | None:
    """config.example.toml in the first of example_config_folders() that has it."""
    for folder in example_config_folders():
        candidate = folder / EXAMPLE_CONFIG
        if candidate.is_file():
            return candidate
    return None


def config_path(args: argparse.Namespace) -> Path:
    """--config, else $HELPLINE_BOT_CONFIG, else ./config.toml, else the example (said so)."""
    if args.config:
        return Path(args.config)
    path = default_config_path()
    if not path.exists():
        example = find_example_config()
        if example is not None:
            print(f"No {path} found: using {example}. Copy it to config.toml to make it yours.")
            return example
    return path


def _print_problems(error: ConfigError) -> None:
    print(f"{error.source}: {len(error.problems)} problem(s):", file=sys.stderr)
    for problem in error.problems:
        print(f"  {problem}", file=sys.stderr)


def _load(path: Path, env: Mapping[str, str] | None = None) -> Settings | None:
    try:
        return load_settings(path, env)
    except ConfigError as error:
        _print_problems(error)
        return None


def cmd_check_config(args: argparse.Namespace) -> int:
    path = config_path(args)
    settings = _load(path)
    if settings is None:
        return 1
    mode = "the local sandbox (no token)" if settings.telegram.uses_sandbox else "Telegram"
    counts = f"{len(settings.services)} service(s), {len(settings.duty)} duty shift(s)"
    print(f"{path}: OK ({counts}; runs on {mode})")
    # Warnings leave the exit code alone: the config works, perhaps not as meant.
    for warning in config_warnings(settings):
        print(f"  warning: {warning}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    path = config_path(args)
    settings = _load(path)
    if settings is None:
        return 1
    for warning in config_warnings(settings):
        logger.warning("config: %s", warning)
    if settings.telegram.uses_sandbox:
        real = real_staff_groups(settings)
        if real and not (args.sandbox or args.web):
            # A production config whose token went missing (a lost env file): never a
            # sandbox nobody sees while staff wait in the real group.
            print(
                f"{path} names real staff groups ({real[0]}) but no bot token is set: set "
                "HELPLINE_BOT_TOKEN or telegram.token (or add --sandbox to try this config "
                "on the local emulator).",
                file=sys.stderr,
            )
            return 1
        print("No bot token configured: running on the built-in local Telegram emulator (sandbox).")
        return _run_sandbox(settings, args, keep_database=True)
    if args.web:
        print("--web is the sandbox's page: it runs only without a bot token.", file=sys.stderr)
        return 2
    from bot.ops.reach import reach_telegram

    # Before anything is built: no network yet is a wait, said in one line, not a crash.
    refused = reach_telegram(settings)
    if refused is not None:
        print(refused, file=sys.stderr)
        return 1
    from bot.app import build_application

    application = build_application(settings)
    if settings.telegram.webhook_url:
        from bot.runner import webhook_arguments

        logger.info("serving the webhook on %s", settings.telegram.webhook_listen)
        application.run_webhook(**webhook_arguments(settings.telegram))
        return 0
    logger.info("polling Telegram")
    application.run_polling(
        allowed_updates=["message", "edited_message", "callback_query", "my_chat_member"],
        timeout=int(settings.timing.poll_timeout.total_seconds()),
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    example = find_example_config()
    if example is None:
        print(
            f"{EXAMPLE_CONFIG} not found: run the demo from the project's folder.", file=sys.stderr
        )
        return 1
    from sandbox.demo import load_demo_settings

    try:
        # The example alone, its commented referrals and quick answers switched on for
        # trying: a token, a key or a data folder in the environment are the real bot's
        # (the container has them all), never the demo's.
        settings = load_demo_settings(example, env={})
    except ConfigError as error:
        _print_problems(error)
        return 1
    return _run_sandbox(demo_settings(settings), args, keep_database=False)


def demo_settings(settings: Settings) -> Settings:
    """The demo's throw-away database gets a throw-away data key: it seals as a real bot
    does, and the example's allow_plaintext is never what it runs on."""
    if settings.privacy.data_keys:
        return settings
    from storage.crypto import new_key

    privacy = dataclasses.replace(settings.privacy, data_keys=(new_key().encode("ascii"),))
    return dataclasses.replace(settings, privacy=privacy)


def _run_sandbox(settings: Settings, args: argparse.Namespace, *, keep_database: bool) -> int:
    """The sandbox as a terminal chat, or as a page in the browser with --web."""
    _quiet_for_chat(args.verbose)
    if args.web:
        from sandbox.web import run_sandbox_web

        web_code: int = asyncio.run(
            run_sandbox_web(settings, keep_database=keep_database, port=args.port)
        )
        return web_code
    from sandbox.chat import run_sandbox_chat

    code: int = asyncio.run(run_sandbox_chat(settings, keep_database=keep_database))
    return code


def cmd_backup(args: argparse.Namespace) -> int:
    path = config_path(args)
    settings = _load(path)
    if settings is None:
        return 1
    target = Path(args.to)
    if target.exists() and not args.force:
        print(f"{target} exists: not overwritten (add --force to replace it)", file=sys.stderr)
        return 1
    if not settings.storage.path.exists():
        print(f"no database at {settings.storage.path}", file=sys.stderr)
        return 1
    target.unlink(missing_ok=True)
    try:
        online_backup(settings.storage.path, target)
    except FileNotFoundError:
        print(f"no database at {settings.storage.path}", file=sys.stderr)
        return 1
    print(f"backed up {settings.storage.path} to {target}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Puts a backup in place of the database, the bot stopped (see bot/ops/backups.py)."""
    settings = _load(config_path(args))
    if settings is None:
        return 1
    from bot.clock import SystemClock
    from bot.ops.backups import RestoreRefused, restore_database
    from storage.db import load_migrations

    target = settings.storage.path
    try:
        aside = restore_database(
            Path(args.source),
            target,
            now=SystemClock().now(),
            known_version=len(load_migrations()),
        )
    except RestoreRefused as error:
        print(f"not restored: {error}", file=sys.stderr)
        return 1
    if aside is not None:
        print(f"the replaced database is kept as {aside}")
    print(f"restored {target} from {args.source}; start the bot again")
    return 0


def cmd_new_key(args: argparse.Namespace) -> int:
    from storage.crypto import new_key

    print(new_key())
    return 0


def cmd_rotate_key(args: argparse.Namespace) -> int:
    """Re-encrypts every stored text under the newest key (the first one given)."""
    path = Path(args.config) if args.config else default_config_path()
    settings = _load(path)
    if settings is None:
        return 1
    if not settings.privacy.data_keys:
        print("no data key: set HELPLINE_BOT_DATA_KEY=NEW,OLD (newest first)", file=sys.stderr)
        return 1
    from storage.crypto import SealError, TextSealer
    from storage.db import Database
    from storage.sealed import reseal_all

    async def rotate() -> int:
        db = await Database.open(settings.storage.path)
        try:
            return await reseal_all(db, TextSealer(settings.privacy.data_keys))
        finally:
            await db.close()

    try:
        changed = asyncio.run(rotate())
    except SealError as error:
        print(f"cannot rotate: {error}; give the old key after the new one", file=sys.stderr)
        return 1
    print(f"re-encrypted {changed} value(s) under the new key; the old key may now be dropped")
    return 0


def cmd_setup(args: argparse.Namespace) -> int:
    """The first day: questions in the terminal, a config that check-config accepts."""
    from bot.i18n import Texts
    from bot.setup import SetupWizard, TerminalConsole

    path = Path(args.config) if args.config else default_config_path()
    wizard = SetupWizard(TerminalConsole(), Texts.load(), path, base_url=args.base_url)
    # A loop of our own rather than asyncio.run: without its SIGINT handler, Ctrl+C stops
    # a question at once (the wizard says so) instead of after the next Enter.
    loop = asyncio.new_event_loop()
    task = loop.create_task(wizard.run())
    try:
        code: int = loop.run_until_complete(task)
    except KeyboardInterrupt:
        # Ctrl+C while Telegram was awaited (a question answers it itself): the wizard's
        # connections are closed on the way out, and nothing has been written.
        task.cancel()
        with contextlib.suppress(BaseException):
            loop.run_until_complete(task)
        print()
        wizard.say_stopped()
        code = 1
    finally:
        loop.close()
    return code


def cmd_poster(args: argparse.Namespace) -> int:
    """An A4 poster (PDF, and a PNG beside it) with the centre's QR links, in kk and ru."""
    settings = _load(config_path(args))
    if settings is None:
        return 1
    if settings.center(args.center) is None:
        known = ", ".join(c.id for c in settings.centers)
        print(f'no centre "{args.center}" in the config (known: {known})', file=sys.stderr)
        return 1
    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        print(f"--out names the PDF to write, such as poster.pdf (got {out})", file=sys.stderr)
        return 2
    # The config's name first: a poster is made without network. Else Telegram is asked.
    username = settings.telegram.bot_username
    if not username and not settings.telegram.uses_sandbox:
        from telegram.error import TelegramError

        from bot.setup.probe import fetch_bot_username

        try:
            username = asyncio.run(
                fetch_bot_username(settings.telegram.token, settings.telegram.base_url)
            )
        except TelegramError:
            username = ""
    if not username:
        print(
            "the bot's username is unknown: set telegram.bot_username (such as "
            '"sairam_help_bot"), or a token with Telegram reachable',
            file=sys.stderr,
        )
        return 1
    from bot.i18n import Texts
    from bot.poster import write_poster

    pdf, png = write_poster(settings, args.center, username, out, Texts.load())
    print(f"wrote {pdf} (A4) and {png}: https://t.me/{username}?start={args.center}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="helpline-bot", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(dest="command", required=True)
    config_help = "config file (default: $HELPLINE_BOT_CONFIG, then ./config.toml)"

    run = commands.add_parser("run", help="run the bot (long polling; the sandbox without a token)")
    run.add_argument("--config", help=config_help)
    run.add_argument(
        "--sandbox",
        action="store_true",
        help="without a token, run on the local emulator even a config naming real staff groups",
    )
    _web_arguments(run)
    run.set_defaults(handler=cmd_run)

    check = commands.add_parser("check-config", help="validate the config and list every problem")
    check.add_argument("--config", help=config_help)
    check.set_defaults(handler=cmd_check_config)

    demo = commands.add_parser(
        "demo", help="try the bot on the local emulator with the example config"
    )
    _web_arguments(demo)
    demo.set_defaults(handler=cmd_demo)

    backup = commands.add_parser(
        "backup", help="a consistent copy of the database, while the bot runs"
    )
    backup.add_argument("--to", required=True, help="the file to write (0600)")
    backup.add_argument("--force", action="store_true", help="replace the file if it exists")
    backup.add_argument("--config", help=config_help)
    backup.set_defaults(handler=cmd_backup)

    restore = commands.add_parser(
        "restore", help="replace the database with a backup (bot stopped; checked first)"
    )
    restore.add_argument("--from", dest="source", required=True, help="the backup file")
    restore.add_argument("--config", help=config_help)
    restore.set_defaults(handler=cmd_restore)

    new_key = commands.add_parser(
        "new-key", help="print a new data key (for HELPLINE_BOT_DATA_KEY or privacy.data_key_file)"
    )
    new_key.set_defaults(handler=cmd_new_key)

    rotate = commands.add_parser(
        "rotate-key",
        help="re-encrypt stored texts under a new key: HELPLINE_BOT_DATA_KEY=NEW,OLD (bot stopped)",
    )
    rotate.add_argument("--config", help=config_help)
    rotate.set_defaults(handler=cmd_rotate_key)

    setup = commands.add_parser(
        "setup", help="first day: asks for the token, finds the staff groups, writes the config"
    )
    setup.add_argument("--config", help="the config file to write (default: ./config.toml)")
    setup.add_argument(
        "--base-url",
        default="https://api.telegram.org/bot",
        help="the Bot API endpoint (a self-hosted Bot API server works too)",
    )
    setup.set_defaults(handler=cmd_setup)

    poster = commands.add_parser(
        "poster", help="a printable A4 poster (PDF and PNG) with the centre's QR link, kk and ru"
    )
    poster.add_argument("--center", required=True, help="the centre's id in the config")
    poster.add_argument("--out", required=True, help="the PDF to write; a PNG goes beside it")
    poster.add_argument("--config", help=config_help)
    poster.set_defaults(handler=cmd_poster)
    return parser


def _web_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--web",
        action="store_true",
        help="the sandbox as a page on localhost: a villager's phone and the staff group",
    )
    command.add_argument("--port", type=int, default=8088, help="the page's port (with --web)")


def main(argv: Sequence[str] | None = None) -> int:
    # Durations from PTB as timedelta, as PTB 23 will give them (no deprecation noise).
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    args = build_parser().parse_args(argv)
    _configure_logging(args.verbose)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
