-- A voice message as the note for the specialist (issue 10: someone who cannot write
-- is never stuck). The note stays text; the voice is kept apart as the Telegram file id
-- of her voice message, sealed like the note, and goes with the note: forget-me, a
-- forget-me cancellation and the notes' retention erase both.
ALTER TABLE appointments ADD COLUMN voice_note TEXT;    -- a voice message's file id, sealed

-- The staff group gets the voice as the bot's own message (sendVoice with the file id,
-- never a forward): forget-me deletes that one, and edits the notices as before.
ALTER TABLE appointment_staff_messages
    ADD COLUMN kind TEXT NOT NULL DEFAULT 'notice' CHECK (kind IN ('notice', 'voice'));
