-- A room's AFK policy (issue 7): a participant whose camera has been off (their own mute) for
-- this many seconds gets a presence check; 0 = no such check.
ALTER TABLE room_moderation ADD COLUMN IF NOT EXISTS afk_camera_off_seconds INT UNSIGNED NOT NULL DEFAULT 0;
