-- The waitlist of a full slot (issue 12): "tell me when a seat frees".
--
-- One row per person waiting for one slot (service_id, starts_at), first come first
-- offered (by id). When a seat frees, the first row without an offer gets `held_until`:
-- until then that seat counts as taken for everyone else (storage/appointments/seats.py
-- counts live holds with the booked rows in its conditional statements). A hold that
-- runs out is deleted and the next person is offered. Erased by forget-me (the users
-- row's deletion cascades too).
CREATE TABLE waitlist (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    service_id TEXT NOT NULL,
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    joined_at  TEXT NOT NULL,
    held_until TEXT,                                    -- set while a seat waits for her
    UNIQUE (user_id, service_id, starts_at)
) STRICT;

CREATE INDEX waitlist_by_slot ON waitlist (service_id, starts_at, id);
CREATE INDEX waitlist_holds ON waitlist (held_until) WHERE held_until IS NOT NULL;
