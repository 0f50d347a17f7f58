-- Every staff action: who (a Telegram id of a staff member), what, on which case or
-- appointment, when. Never a user's id: users are named by codes only.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor_id  INTEGER NOT NULL,
    action    TEXT NOT NULL,        -- take, reply, close, block, unblock, attend, no_show, export, duty_on, duty_off ...
    subject   TEXT,                 -- a case or booking code
    detail    TEXT
) STRICT;

CREATE INDEX audit_by_subject ON audit_log (subject, at);
