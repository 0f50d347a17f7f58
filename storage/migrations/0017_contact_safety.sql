-- What she told us about her safety governs what staff and the bot may do
-- (bot/domain/contact_safety.py).
--
-- Per person: when she left in a hurry (the quick exit) and has not written since, and the
-- hours she said it is safe to write to her. Erased by forget-me.
CREATE TABLE contact_safety (
    user_id       INTEGER PRIMARY KEY,
    left_at       TEXT,                              -- NULL: she wrote since (or never left)
    safe_from     TEXT,                              -- "HH:MM" local; NULL: any time
    safe_until    TEXT,
    weekdays_only INTEGER NOT NULL DEFAULT 0
) STRICT;

-- A message to her held for her safety is not looked at again before this moment; a
-- change of her state (she writes, new hours) clears it, and the rule decides afresh.
ALTER TABLE outbox ADD COLUMN not_before TEXT;

-- Her answer to "is it safe to talk now?": 1 while she said no (no call-back, a warning
-- on the card and on every message of the case) until she says it is safe again.
ALTER TABLE cases ADD COLUMN not_safe_to_talk INTEGER NOT NULL DEFAULT 0;
