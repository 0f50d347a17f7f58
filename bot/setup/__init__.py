"""`helpline-bot setup`: a first day without a manual.

The questions are asked in the terminal (`wizard`), Telegram is asked what only it
knows: whether the token is real, which groups the bot was added to, what it may do
there (`probe`), and the answers become a data key and a config file (`writing`) that
`check-config` accepts.
"""

from bot.setup.wizard import Console, SetupAborted, SetupWizard, TerminalConsole

__all__ = ["Console", "SetupAborted", "SetupWizard", "TerminalConsole"]
