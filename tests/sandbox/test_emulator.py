"""The emulator as a whole, driven by a real PTB Application."""

from telegram import (
    Update,
)
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from sandbox import TelegramEmulator
from tests.sandbox.conftest import TOKEN
from tests.sandbox.helpers import keyboard


async def test_application_end_to_end(emu: TelegramEmulator) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            "Choose a language", reply_markup=keyboard(("Русский", "lang:ru"))
        )

    async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text(f"Chosen: {query.data}")

    app = Application.builder().token(TOKEN).base_url(emu.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(choose))
    user = emu.create_user()
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await user.send("/start")
        menu = await user.wait_for_bot_message()
        assert menu.buttons == [("Русский", "lang:ru")]
        await user.press("Русский")
        edited = await user.wait_for_bot_message(include_edits=True)
        assert edited.text == "Chosen: lang:ru" and edited.buttons == []
        await emu.wait_until(lambda: len(emu.callback_answers) == 1)
        await app.updater.stop()
        await app.stop()
    # PTB hangs up its last long poll on stop: recorded as 499, never as a 409 conflict.
    assert {r.status for r in emu.requests} <= {200, 499}
