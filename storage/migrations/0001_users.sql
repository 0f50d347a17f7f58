-- People who wrote to the bot. The Telegram user id is also their private chat id.
-- Before consent only the language is kept (see handlers/start.py).
CREATE TABLE users (
    user_id      INTEGER PRIMARY KEY,
    language     TEXT NOT NULL CHECK (language IN ('kk', 'ru')),
    consented_at TEXT,
    created_at   TEXT NOT NULL
) STRICT;
