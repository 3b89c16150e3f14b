-- Rooms as users create them: an owner, a category, tags (hashtags), a capacity, and privacy
-- (a password and/or an invite code). Rooms made by joining an unknown id before accounts
-- existed keep working: every new column has a default.
ALTER TABLE rooms
  ADD COLUMN owner_id BIGINT UNSIGNED NULL DEFAULT NULL,
  ADD COLUMN description VARCHAR(2000) NOT NULL DEFAULT '',
  ADD COLUMN category VARCHAR(32) NOT NULL DEFAULT '',
  ADD COLUMN is_private TINYINT(1) NOT NULL DEFAULT 0,
  ADD COLUMN password_hash VARCHAR(255) NULL DEFAULT NULL,
  ADD COLUMN invite_code CHAR(32) NULL DEFAULT NULL,
  ADD COLUMN capacity INT NOT NULL DEFAULT 50,
  ADD COLUMN updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  ADD KEY ix_rooms_owner (owner_id),
  ADD KEY ix_rooms_category (category),
  ADD UNIQUE KEY uq_rooms_invite (invite_code);

CREATE TABLE IF NOT EXISTS room_tags (
  room_id VARCHAR(64) NOT NULL,
  tag VARCHAR(32) NOT NULL,
  PRIMARY KEY (room_id, tag),
  KEY ix_room_tags_tag (tag),
  CONSTRAINT fk_room_tags_room FOREIGN KEY (room_id) REFERENCES rooms (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
