-- Queue by risk, not by arrival: in one chat, urgent messages (priority 1) go before the
-- rest. After a burst of booking notices the staff group's 20 messages a minute would
-- otherwise hold an urgent alert back for minutes.
ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
