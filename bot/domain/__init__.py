"""Pure rules and value types: no I/O, no Telegram, nothing else of the project.

Everything here is a function of its arguments (the clock's "now" is an argument too),
tested by tables in tests/bot/domain/. Storage, services and handlers build on it.
"""
