"""`helpline-bot poster`: an A4 PDF and PNG in both languages whose QR code opens the centre."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from bot.__main__ import main
from bot.i18n import Texts
from bot.poster import PosterLink, qr_matrix, telegram_link
from sandbox import TelegramEmulator
from storage.crypto import new_key

LINK = "https://t.me/sairam_help_bot?start=sairam"
A4_POINTS = (595.3, 841.9)

CONFIG = """
[telegram]
staff_chat_id = -1001000000001
{telegram}

[[centers]]
id = "sairam"
name = {{ kk = "Қолдау орталығы", ru = "Центр поддержки" }}
address = {{ kk = "Ақсу ауылы, Жібек жолы көшесі, 1", ru = "село Аксу, улица Жибек жолы, 1" }}
phone = "+7 725 000 00 00"

[privacy]
allow_plaintext = true
"""


def write_config(folder: Path, telegram: str = 'bot_username = "sairam_help_bot"') -> Path:
    path = folder / "config.toml"
    path.write_text(CONFIG.format(telegram=telegram), encoding="utf-8")
    return path


def decoded_links(png: Path) -> list[str]:
    with Image.open(png) as image:
        return [found.text for found in zxingcpp.read_barcodes(image)]


def test_the_poster_is_an_a4_pdf_with_both_languages_and_a_png_whose_qr_opens_the_centre(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path)
    out = tmp_path / "poster.pdf"
    assert main(["poster", "--center", "sairam", "--config", str(config), "--out", str(out)]) == 0

    page = PdfReader(out).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width, 1), round(height, 1)) == A4_POINTS
    text = " ".join(page.extract_text().split())
    texts = Texts.load()
    for language in ("kk", "ru"):
        assert texts.get(language, "poster.title") in text
        assert texts.get(language, "poster.scan") in text
    for words in ("Ақсу ауылы", "село Аксу", "+7 725 000 00 00", "Телефон доверия"):
        assert words in text
    for number in ("112", "102", "103", "111", "150"):
        assert number in text
    # Safe to hang in a clinic or an akimat: the poster never names violence.
    for word in ("зорлық", "насили", "violence"):
        assert word not in text.lower()

    png = out.with_suffix(".png")
    assert decoded_links(png) == [LINK]


def test_room_for_more_doors_every_link_gets_its_own_readable_qr(tmp_path: Path) -> None:
    from bot.config import DEFAULT_EMERGENCY_NUMBERS, load_settings
    from bot.poster import draw_poster

    settings = load_settings(write_config(tmp_path), env={})
    center = settings.center("sairam")
    assert center is not None
    other = PosterLink("WhatsApp", "https://wa.me/77250000000?text=sairam")
    figure = draw_poster(
        center,
        [telegram_link("sairam_help_bot", "sairam"), other],
        DEFAULT_EMERGENCY_NUMBERS,
        Texts.load(),
    )
    png = tmp_path / "two.png"
    figure.savefig(png, dpi=150)
    assert sorted(decoded_links(png)) == sorted([LINK, other.url])


def test_the_qr_matrix_is_segnos_for_the_link() -> None:
    matrix = qr_matrix(LINK)
    assert len(matrix) == len(matrix[0]) >= 21
    # The finder pattern's corner: a dark 7x7 frame at the top left.
    assert all(matrix[0][:7]) and all(row[0] for row in matrix[:7])


def test_an_unknown_centre_gets_a_clear_answer_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    out = tmp_path / "poster.pdf"
    assert main(["poster", "--center", "nowhere", "--config", str(config), "--out", str(out)]) == 1
    assert 'no centre "nowhere" in the config (known: sairam)' in capsys.readouterr().err
    assert not out.exists()


def test_out_must_name_a_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    out = tmp_path / "poster.png"
    assert main(["poster", "--center", "sairam", "--config", str(config), "--out", str(out)]) == 2
    assert "--out names the PDF" in capsys.readouterr().err
    assert not out.exists()


def test_without_a_username_or_a_token_it_says_what_to_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, telegram="")
    out = tmp_path / "poster.pdf"
    assert main(["poster", "--center", "sairam", "--config", str(config), "--out", str(out)]) == 1
    assert "telegram.bot_username" in capsys.readouterr().err
    assert not out.exists()


async def test_without_a_username_telegram_is_asked_by_get_me(tmp_path: Path) -> None:
    token = "123456789:AAE-poster-test-token-0123456789"
    async with TelegramEmulator(token=token, bot_username="sairam_help_bot") as emulator:
        config = write_config(
            tmp_path, telegram=f'token = "{token}"\nbase_url = "{emulator.base_url}"'
        )
        # A bot with a token seals what it stores: the config names a data key file.
        key_file = tmp_path / "helpline.key"
        key_file.write_text(new_key(), encoding="ascii")
        key_file.chmod(0o600)
        config.write_text(
            config.read_text(encoding="utf-8").replace(
                "allow_plaintext = true", 'data_key_file = "helpline.key"'
            ),
            encoding="utf-8",
        )
        out = tmp_path / "poster.pdf"
        arguments = ["poster", "--center", "sairam", "--config", str(config), "--out", str(out)]
        # The command runs its own event loop, as from the terminal; the emulator serves here.
        assert await asyncio.to_thread(main, arguments) == 0
        assert emulator.requests_for("getMe")
    assert decoded_links(out.with_suffix(".png")) == [LINK]


def test_the_bot_username_key_is_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.config import load_settings

    config = write_config(tmp_path, telegram='bot_username = "@sairam_help_bot"')
    assert load_settings(config, env={}).telegram.bot_username == "sairam_help_bot"
    config = write_config(tmp_path, telegram='bot_username = "t.me/x"')
    assert main(["check-config", "--config", str(config)]) == 1
    assert "telegram.bot_username" in capsys.readouterr().err


@pytest.mark.parametrize("local_numbers", [0, 4])
def test_every_text_is_on_the_page_and_none_overlaps(tmp_path: Path, local_numbers: int) -> None:
    """Also for a centre that adds local numbers: smaller, but all there and readable apart."""
    from bot.config import DEFAULT_EMERGENCY_NUMBERS, EmergencyNumber, Localized, load_settings
    from bot.poster import draw_poster

    center = load_settings(write_config(tmp_path), env={}).center("sairam")
    assert center is not None
    inspector = Localized("Учаскелік полиция инспекторы", "Участковый инспектор полиции")
    local = [EmergencyNumber(f"8 725 00{i} 00 0{i}", inspector) for i in range(local_numbers)]
    other = PosterLink("WhatsApp", "https://wa.me/77250000000?text=sairam")
    figure = draw_poster(
        center,
        [telegram_link("sairam_help_bot", "sairam"), other],
        (*DEFAULT_EMERGENCY_NUMBERS, *local),
        Texts.load(),
    )
    boxes = [(text.get_text(), text.get_window_extent()) for text in figure.texts]
    page = figure.bbox
    for words, box in boxes:
        assert box.x0 >= 0 and box.y0 >= 0, words
        assert box.x1 <= page.width and box.y1 <= page.height, words
    for index, (words, box) in enumerate(boxes):
        for other_words, other_box in boxes[index + 1 :]:
            assert not box.overlaps(other_box), (words, other_words)
