-- Staff-group messages about an appointment (the notice of a new booking carries the
-- user's note): forget-me edits them, so the note leaves the staff group too.
CREATE TABLE appointment_staff_messages (
    chat_id        INTEGER NOT NULL,
    message_id     INTEGER NOT NULL,
    appointment_id INTEGER NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    PRIMARY KEY (chat_id, message_id)
) STRICT;

CREATE INDEX appointment_staff_messages_by_appointment
    ON appointment_staff_messages (appointment_id);
