-- Quiet hours hold for waitlist offers too (issue 18): a seat freed in the night is held
-- at once for the first person waiting, so nobody takes it from under her, but her offer
-- waits for the end of quiet hours. offer_at is when it goes out (the due work sends it,
-- and the hold's 30 minutes run from then); NULL once sent, and for an offer sent at once.
ALTER TABLE waitlist ADD COLUMN offer_at TEXT;

CREATE INDEX waitlist_offers_due ON waitlist (offer_at) WHERE offer_at IS NOT NULL;
