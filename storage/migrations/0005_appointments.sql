-- Appointments, their planned reminders, and the mornings the agenda went out (issue 4).
--
-- A seat is a booked row's (service_id, starts_at): a slot of capacity N holds at most
-- N booked rows, which storage/appointments.py enforces in one conditional statement
-- inside BEGIN IMMEDIATE. A reschedule moves the row (same code) and bumps `version`,
-- so buttons on older messages, which carry the version, change nothing.
--
-- "Forget me" cancels the user's future appointments, erases notes and sets user_id to
-- NULL (deleting the users row does the last part by itself): what stays is anonymous
-- (service, time, status, attendance) and still counts in the monthly figures.
CREATE TABLE appointments (
    id                INTEGER PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,             -- XXX-XXX, what user and staff quote
    user_id           INTEGER REFERENCES users (user_id) ON DELETE SET NULL,
    center_id         TEXT NOT NULL,
    service_id        TEXT NOT NULL,
    starts_at         TEXT NOT NULL,
    ends_at           TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'cancelled')),
    note              TEXT,                             -- for the specialist, sealed
    name_in_reminders INTEGER NOT NULL DEFAULT 0 CHECK (name_in_reminders IN (0, 1)),
    version           INTEGER NOT NULL DEFAULT 1,       -- +1 on every reschedule
    reschedules       INTEGER NOT NULL DEFAULT 0,
    booked_at         TEXT NOT NULL,
    confirmed_at      TEXT,                             -- "I'll come" on a reminder
    cancelled_at      TEXT,
    cancelled_by      TEXT CHECK (cancelled_by IN ('user', 'staff', 'forget')),
    attendance        TEXT CHECK (attendance IN ('came', 'no_show')),
    attendance_at     TEXT
) STRICT;

-- Counting the seats of one slot, and the free slots of a service over days.
CREATE INDEX appointments_seats ON appointments (service_id, starts_at) WHERE status = 'booked';
CREATE INDEX appointments_by_user ON appointments (user_id, starts_at);
CREATE INDEX appointments_by_time ON appointments (starts_at);

-- One row per reminder to send, planned at booking time (bot.reminders_schedule).
-- A row goes from 'planned' to 'sent' in the same transaction that puts its message in
-- the outbox, so a restart can neither lose it nor send it twice.
CREATE TABLE appointment_reminders (
    id             INTEGER PRIMARY KEY,
    appointment_id INTEGER NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    offset_seconds INTEGER NOT NULL,                    -- how long before the start
    due_at         TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'planned'
                   CHECK (status IN ('planned', 'sent', 'skipped')),
    outbox_id      INTEGER,
    done_at        TEXT
) STRICT;

CREATE INDEX reminders_due ON appointment_reminders (due_at) WHERE status = 'planned';
CREATE INDEX reminders_by_appointment ON appointment_reminders (appointment_id);

-- The morning agenda goes out once per local day, even across restarts.
CREATE TABLE agenda_runs (
    day     TEXT PRIMARY KEY,                           -- YYYY-MM-DD in the centre's zone
    sent_at TEXT NOT NULL
) STRICT;
