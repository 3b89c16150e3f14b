-- Moderation (issue 7): moderators appointed per room (the owner is rooms.owner_id; admins are
-- users.is_admin), bans (per room, or everywhere when room_id is ''), a room's lock and waiting
-- room switches, and the audit log of every moderation action.
CREATE TABLE IF NOT EXISTS room_moderators (
  room_id VARCHAR(64) NOT NULL,
  user_id BIGINT UNSIGNED NOT NULL,
  granted_by BIGINT UNSIGNED NULL DEFAULT NULL,
  granted_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (room_id, user_id),
  KEY ix_room_moderators_user (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- expires_at is in ms since the epoch, NULL for good; lifted_at ends a ban early.
CREATE TABLE IF NOT EXISTS bans (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  room_id VARCHAR(64) NOT NULL DEFAULT '',
  user_id BIGINT UNSIGNED NOT NULL,
  reason VARCHAR(500) NOT NULL DEFAULT '',
  banned_by BIGINT UNSIGNED NULL DEFAULT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  expires_at BIGINT NULL DEFAULT NULL,
  lifted_at TIMESTAMP(3) NULL DEFAULT NULL,
  KEY ix_bans_user_room (user_id, room_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS room_moderation (
  room_id VARCHAR(64) NOT NULL PRIMARY KEY,
  locked TINYINT(1) NOT NULL DEFAULT 0,
  waiting_room TINYINT(1) NOT NULL DEFAULT 0,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Append-only. actor_id NULL: the server itself (an AFK timeout, an automatic owner change).
CREATE TABLE IF NOT EXISTS audit_log (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  room_id VARCHAR(64) NOT NULL DEFAULT '',
  actor_id BIGINT UNSIGNED NULL DEFAULT NULL,
  actor_name VARCHAR(64) NOT NULL DEFAULT '',
  action VARCHAR(32) NOT NULL,
  target_user_id BIGINT UNSIGNED NULL DEFAULT NULL,
  target_participant VARCHAR(64) NOT NULL DEFAULT '',
  target_name VARCHAR(64) NOT NULL DEFAULT '',
  reason VARCHAR(500) NOT NULL DEFAULT '',
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY ix_audit_room (room_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
