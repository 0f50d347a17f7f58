-- Internal notes on a case: written by staff, shown in the staff group, never relayed to
-- the villager. The body is sealed like every other case text, and the rows go with the
-- case's texts (retention of closed cases, forget-me).
CREATE TABLE case_notes (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    staff_id   INTEGER NOT NULL,                    -- who wrote it
    body       TEXT NOT NULL,                       -- sealed text
    created_at TEXT NOT NULL
) STRICT;

CREATE INDEX case_notes_by_case ON case_notes (case_id, id);
