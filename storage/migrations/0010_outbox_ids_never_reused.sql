-- Outbox ids must never be reused: delivery marks a row by id after Telegram answers,
-- and forget-me may erase rows in between. Without AUTOINCREMENT, SQLite hands the id of
-- an erased last row to the next insert, and a late "sent" would land on the new row
-- (which then never goes out). The table is rebuilt with AUTOINCREMENT; ids are kept.
CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id         INTEGER NOT NULL,
    method          TEXT NOT NULL,
    payload         TEXT NOT NULL,
    purpose         TEXT NOT NULL,
    ref             INTEGER,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    sent_message_id INTEGER,
    created_at      TEXT NOT NULL,
    done_at         TEXT,
    priority        INTEGER NOT NULL DEFAULT 0
) STRICT;

INSERT INTO outbox_new (id, chat_id, method, payload, purpose, ref, status, attempts,
                        last_error, sent_message_id, created_at, done_at, priority)
SELECT id, chat_id, method, payload, purpose, ref, status, attempts,
       last_error, sent_message_id, created_at, done_at, priority
FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_pending ON outbox (status, chat_id, id);
