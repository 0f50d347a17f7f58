"""Charts and workbooks are drawn in a worker process, never on the bot's own.

A year's chart of 100,000 appointments takes about two seconds of CPU. Drawn in a thread
(as before), it held the GIL in long stretches: a /sos that arrived meanwhile waited for
its turn to run Python at all. A process of its own leaves the bot's interpreter free.

The pool is made on the first drawing (most runs, and most tests, never draw one, and a
worker costs a second of imports and some 45 MB of matplotlib), and closed when the bot
shuts down (post_shutdown). Workers are spawned, not forked: a fork of a process running
an event loop, threads and an open database copies their state mid-way. One worker: a
chart is rare, and the machine's other core is the bot's.
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import ParamSpec, TypeVar

from bot.domain.language import Language
from bot.i18n import Texts
from bot.reports.figures import ReportFigures
from bot.reports.workbook import Sheet, write_workbook

_P = ParamSpec("_P")
_T = TypeVar("_T")


class Drawing:
    def __init__(self, workers: int = 1) -> None:
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None

    async def chart(self, figures: ReportFigures, language: Language) -> bytes:
        """The /stats chart as a PNG, labelled in ``language``."""
        return await self.run(_chart, figures, language)

    async def workbook(self, sheets: Sequence[Sheet]) -> bytes:
        """The export's workbook (.xlsx) of these sheets."""
        return await self.run(write_workbook, tuple(sheets))

    async def run(self, work: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """``work`` (a module-level function; its arguments and result are pickled) in the
        worker process."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self._workers, mp_context=multiprocessing.get_context("spawn")
            )
        call = functools.partial(work, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    def close(self) -> None:
        """Drawings not started are dropped; a worker drawing one exits when it is done."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _chart(figures: ReportFigures, language: Language) -> bytes:
    # In the worker: matplotlib (with numpy) is imported there only, on its first chart.
    from bot.reports.chart import render_chart

    return render_chart(figures, _texts().for_language(language))


@functools.cache
def _texts() -> Texts:
    """The worker's own catalogues, loaded once."""
    return Texts.load()
