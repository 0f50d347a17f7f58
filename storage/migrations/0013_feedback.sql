-- Feedback after a closed case (and later after an appointment marked "came"): one
-- neutral question with three answers and an optional line of text.
--
-- Anonymous by construction: a question asked waits in feedback_asks under a random
-- token, with the person's id only so that no one else can answer it; the answer goes
-- to feedback without any id and the ask row is deleted in the same transaction, so
-- nothing links an answer to a person once it is stored. The optional line is kept
-- apart from the answer (linked to neither), sealed, and erased with case texts.
CREATE TABLE feedback_asks (
    token    TEXT PRIMARY KEY,                          -- random, in the buttons' data
    user_id  INTEGER NOT NULL,
    about    TEXT NOT NULL CHECK (about IN ('case', 'appointment')),
    asked_at TEXT NOT NULL
) STRICT;

CREATE INDEX feedback_asks_by_user ON feedback_asks (user_id);

CREATE TABLE feedback (
    id       INTEGER PRIMARY KEY,
    about    TEXT NOT NULL CHECK (about IN ('case', 'appointment')),
    answer   TEXT NOT NULL CHECK (answer IN ('good', 'neutral', 'bad')),
    given_on TEXT NOT NULL                              -- the day only: no exact moment
) STRICT;

CREATE INDEX feedback_by_day ON feedback (given_on);

CREATE TABLE feedback_comments (
    id       INTEGER PRIMARY KEY,
    about    TEXT NOT NULL CHECK (about IN ('case', 'appointment')),
    body     TEXT NOT NULL,                             -- sealed
    given_on TEXT NOT NULL
) STRICT;

-- When a person last used the quick exit: no feedback question reaches a phone that may
-- be shared with the person who hurts her. Kept a week, erased by forget-me.
CREATE TABLE quick_exits (
    user_id INTEGER PRIMARY KEY,
    at      TEXT NOT NULL
) STRICT;
