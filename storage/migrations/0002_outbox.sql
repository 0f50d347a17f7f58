-- Messages that matter (alerts, relays, reminders, staff cards) are written here in
-- the same transaction as the change they report, then delivered with retries.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    chat_id         INTEGER NOT NULL,
    method          TEXT NOT NULL,               -- a Bot API method, e.g. sendMessage
    payload         TEXT NOT NULL,               -- its parameters as JSON, sealed (see bot/crypto.py)
    purpose         TEXT NOT NULL,               -- who is told on delivery, e.g. case_card
    ref             INTEGER,                     -- the row the purpose refers to (a case id ...)
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    sent_message_id INTEGER,
    created_at      TEXT NOT NULL,
    done_at         TEXT
) STRICT;

CREATE INDEX outbox_pending ON outbox (status, chat_id, id);
