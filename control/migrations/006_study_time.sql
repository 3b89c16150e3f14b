-- Study time. The ledger (study_intervals) is append-only and holds closed time, one row per
-- study day an interval touched; open intervals live in Redis and are heartbeated here, so a
-- crashed control node's intervals are closed at their last heartbeat. Per-user settings: the
-- daily goal and the day boundary (the time zone is users.time_zone). Todos and the room board
-- (the room's history of acknowledgements, finished todos and study kings) are durable too.
CREATE TABLE IF NOT EXISTS study_intervals (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  room_id VARCHAR(64) NOT NULL,
  day DATE NOT NULL,
  started_ms BIGINT NOT NULL,
  ended_ms BIGINT NOT NULL,
  reason VARCHAR(16) NOT NULL,
  KEY ix_study_user_day (user_id, day),
  KEY ix_study_day (day),
  KEY ix_study_room_day (room_id, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS study_open (
  user_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  room_id VARCHAR(64) NOT NULL,
  participant VARCHAR(32) NOT NULL,
  node VARCHAR(128) NOT NULL,
  started_ms BIGINT NOT NULL,
  heartbeat_ms BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS study_settings (
  user_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  daily_goal_min INT NOT NULL DEFAULT 120,
  day_boundary_min INT NOT NULL DEFAULT 300
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS study_todos (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  day DATE NOT NULL,
  text VARCHAR(200) NOT NULL,
  done_ms BIGINT NULL DEFAULT NULL,
  created_ms BIGINT NOT NULL,
  KEY ix_todos_user_day (user_id, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS room_board (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  room_id VARCHAR(64) NOT NULL,
  ts_ms BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  user_id BIGINT UNSIGNED NULL DEFAULT NULL,
  text VARCHAR(400) NOT NULL,
  KEY ix_board_room (room_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
