-- Todos (issue 6, item 7): the room an item was checked off in (its board post went there),
-- and the list of one user's day read in order.
ALTER TABLE study_todos ADD COLUMN IF NOT EXISTS done_room VARCHAR(64) NULL DEFAULT NULL;
