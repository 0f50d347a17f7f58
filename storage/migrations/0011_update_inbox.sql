-- Updates are stored before Telegram is told they arrived (python-telegram-bot confirms an
-- update when it asks for the next ones), so a /sos fetched just before a crash is handled
-- after the restart instead of being lost. The payload is sealed and blanked as soon as the
-- update is handled; the bare update id stays 48 hours so that an update Telegram sends
-- again (it was stored but not yet confirmed) is not handled twice.
CREATE TABLE update_inbox (
    update_id   INTEGER PRIMARY KEY,
    payload     TEXT,
    received_at TEXT NOT NULL,
    handled_at  TEXT,
    replays     INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX update_inbox_pending ON update_inbox (update_id) WHERE handled_at IS NULL;
CREATE INDEX update_inbox_handled ON update_inbox (handled_at) WHERE handled_at IS NOT NULL;
