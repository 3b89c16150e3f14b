-- Study time (issue 6): the room an item of a todo list was checked off in (its board post
-- went there), and how each room counts study time: "manual" (members start and stop) or
-- "camera" (while a member's camera is on). A room without a row counts manually.
ALTER TABLE study_todos ADD COLUMN IF NOT EXISTS done_room VARCHAR(64) NULL DEFAULT NULL;

CREATE TABLE IF NOT EXISTS room_study_mode (
  room_id VARCHAR(64) NOT NULL PRIMARY KEY,
  mode VARCHAR(16) NOT NULL DEFAULT 'manual'
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
