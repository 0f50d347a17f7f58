"""Files: uploads, downloads and the files of users' messages."""

import pytest
from telegram import (
    Bot,
    InputFile,
    Update,
)
from telegram.error import BadRequest

from sandbox import TelegramEmulator
from tests.sandbox.helpers import started_user


async def test_uploads_and_user_voice_files(emu: TelegramEmulator, bot: Bot) -> None:
    user = await started_user(emu)
    document = InputFile(b"%PDF-1.4 data", filename="report.pdf")
    sent = await bot.send_document(user.id, document, caption="<b>Report</b>", parse_mode="HTML")
    assert sent.document is not None and sent.document.file_name == "report.pdf"
    upload = emu.requests_for("sendDocument")[-1].params["document"]
    assert (upload.filename, upload.size) == ("report.pdf", 13)
    assert user.last_bot_message().caption == "Report"

    voice = await user.send_voice(duration=12)
    update = Update.de_json(emu.pending_updates()[-1], bot)
    assert update.message is not None and update.message.voice is not None
    assert emu.pending_updates()[-1]["message"]["voice"]["duration"] == 12
    file = await bot.get_file(voice.file_id or "")
    assert file.file_size == 24_000 and len(await file.download_as_bytearray()) == 24_000
    with pytest.raises(BadRequest, match=r"^Invalid file_id$"):
        await bot.get_file("nope")
    await bot.send_voice(user.id, voice.file_id or "")
    assert user.last_bot_message().kind == "voice"
