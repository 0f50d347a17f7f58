-- One bot for a region: each person chooses her centre once (kept like the language,
-- erased with the users row by forget-me), each case belongs to a centre's staff side,
-- and /duty taken in a centre's group is a shift of that centre.
-- NULL: no centre chosen (one-centre configs, and /sos before the choice, which every
-- centre hears until someone takes it).
ALTER TABLE users ADD COLUMN center_id TEXT;
ALTER TABLE cases ADD COLUMN center_id TEXT;
ALTER TABLE manual_duty ADD COLUMN center_id TEXT;

-- The region group's daily line of open urgent cases goes out once per local day.
CREATE TABLE region_runs (
    day     TEXT PRIMARY KEY,                           -- YYYY-MM-DD in the region's zone
    sent_at TEXT NOT NULL
) STRICT;
