-- Ids (never texts) of the messages in private chats, so a quick exit can delete them.
-- Telegram lets a bot delete private-chat messages for 48 hours; older rows are purged.
CREATE TABLE message_log (
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (chat_id, message_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX message_log_by_time ON message_log (at);
