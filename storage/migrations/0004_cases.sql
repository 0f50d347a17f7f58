-- Help requests (cases), their anonymous conversation, escalation and manual duty.
--
-- A case outlives its villager's personal data: "forget me" sets user_id to NULL and
-- erases the sealed columns (story, story_voice, screen, callback_phone and the
-- conversation's body/file_id), while category, urgent and the times stay for the
-- anonymous monthly figures. Every user-written text is sealed (bot/crypto.py).
CREATE TABLE cases (
    id                 INTEGER PRIMARY KEY,
    code               TEXT NOT NULL UNIQUE,        -- XXX-XXX, what staff see instead of a name
    user_id            INTEGER,                     -- the villager; NULL once forgotten
    language           TEXT NOT NULL CHECK (language IN ('kk', 'ru')),
    category           TEXT NOT NULL,               -- violence, crisis, addiction, someone_else, other, unknown
    urgent             INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
    urgent_reasons     TEXT NOT NULL DEFAULT '',    -- comma-separated bot.triage.UrgencyReason
    urgent_at          TEXT,
    story              TEXT,                        -- sealed text of the request
    story_voice        TEXT,                        -- sealed JSON list of voice file ids
    screen             TEXT,                        -- sealed JSON of Lethality Screen answers
    reply_by           TEXT NOT NULL DEFAULT 'chat' CHECK (reply_by IN ('chat', 'call')),
    callback_phone     TEXT,                        -- sealed; only when the user chose a call back
    status             TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    blocked            INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
    user_unreachable   INTEGER NOT NULL DEFAULT 0 CHECK (user_unreachable IN (0, 1)),
    created_at         TEXT NOT NULL,
    taken_at           TEXT,
    taken_by           INTEGER,                     -- a staff member's Telegram id
    taken_by_name      TEXT,                        -- shown in the staff group only
    closed_at          TEXT,
    escalation_step    INTEGER NOT NULL DEFAULT 0,  -- re-alerts sent so far
    next_escalation_at TEXT,                        -- NULL: no re-alert pending
    card_message_id    INTEGER,                     -- the first card in the staff group
    topic_id           INTEGER                      -- its forum topic, if the group is a forum
) STRICT;

CREATE INDEX cases_by_user ON cases (user_id, status);
CREATE INDEX cases_by_topic ON cases (topic_id);
CREATE INDEX cases_escalation ON cases (next_escalation_at)
    WHERE next_escalation_at IS NOT NULL;
CREATE INDEX cases_by_created ON cases (created_at);

-- The anonymous conversation. A user's messages are relayed in batches: relay_id is the
-- outbox row that carries them (NULL: not handed to the outbox yet), so a flood is
-- coalesced into a few staff-group messages and none is lost.
CREATE TABLE case_messages (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    author     TEXT NOT NULL CHECK (author IN ('user', 'staff')),
    staff_id   INTEGER,                             -- who answered (staff messages only)
    kind       TEXT NOT NULL CHECK (kind IN ('text', 'voice', 'photo', 'document')),
    body       TEXT,                                -- sealed text or caption
    file_id    TEXT,                                -- sealed Telegram file id
    relay_id   INTEGER,
    created_at TEXT NOT NULL
) STRICT;

CREATE INDEX case_messages_by_case ON case_messages (case_id, id);

-- Messages in the staff group that belong to a case (cards, relays, staff replies,
-- notices): a reply to any of them reaches the case.
CREATE TABLE case_staff_messages (
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,                       -- card, repost, relay, staff, notice
    PRIMARY KEY (chat_id, message_id)
) STRICT;

CREATE INDEX case_staff_messages_by_case ON case_staff_messages (case_id, kind);

-- /duty taken in the staff group; /duty off deletes the row, urgent.manual_duty_max ends it.
CREATE TABLE manual_duty (
    user_id INTEGER PRIMARY KEY,
    name    TEXT NOT NULL,
    since   TEXT NOT NULL
) STRICT;
