-- Which staff-group agenda message lists which appointments (the agenda shows notes):
-- forget-me redraws those messages without the user's note. A morning agenda is
-- remembered when it is queued; its message id arrives when it is delivered.
CREATE TABLE agenda_messages (
    id           INTEGER PRIMARY KEY,
    chat_id      INTEGER NOT NULL,
    message_id   INTEGER,                      -- NULL until delivered
    day          TEXT NOT NULL,                -- YYYY-MM-DD, the agenda's local day
    with_buttons INTEGER NOT NULL CHECK (with_buttons IN (0, 1))
) STRICT;

CREATE TABLE agenda_message_entries (
    agenda_message_id INTEGER NOT NULL REFERENCES agenda_messages (id) ON DELETE CASCADE,
    appointment_id    INTEGER NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    PRIMARY KEY (agenda_message_id, appointment_id)
) STRICT;

CREATE INDEX agenda_message_entries_by_appointment
    ON agenda_message_entries (appointment_id);
