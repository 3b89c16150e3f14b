-- Chat history and study materials. A message row is written (and committed) before its
-- sender is told it arrived, so an acknowledged message survives any crash of control.
-- Texts and file names are kept as bytes (VARBINARY/BLOB): what a client sent comes back
-- byte for byte, whatever the connection's character set. Rooms made by a join have no row
-- in rooms, so room ids here carry no foreign key.
CREATE TABLE IF NOT EXISTS chat_messages (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  room_id VARCHAR(64) NOT NULL,
  user_id BIGINT UNSIGNED NULL DEFAULT NULL,
  participant VARCHAR(32) NOT NULL,
  author_name VARBINARY(255) NOT NULL,
  body BLOB NOT NULL,
  material_id BIGINT UNSIGNED NULL DEFAULT NULL,
  created_ms BIGINT NOT NULL,
  edited_ms BIGINT NULL DEFAULT NULL,
  deleted_ms BIGINT NULL DEFAULT NULL,
  deleted_by BIGINT UNSIGNED NULL DEFAULT NULL,
  KEY ix_chat_room (room_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Who has joined a room (signed-in users only): the membership that study materials are
-- checked against.
CREATE TABLE IF NOT EXISTS room_visitors (
  room_id VARCHAR(64) NOT NULL,
  user_id BIGINT UNSIGNED NOT NULL,
  first_joined_ms BIGINT NOT NULL,
  PRIMARY KEY (room_id, user_id),
  KEY ix_room_visitors_user (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=ascii;

-- A file lives on disk once per content (data folder, materials/<sha256[0:2]>/<sha256>);
-- each upload is a row naming it for one room.
CREATE TABLE IF NOT EXISTS materials (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  room_id VARCHAR(64) NOT NULL,
  uploader_id BIGINT UNSIGNED NOT NULL,
  display_name VARBINARY(255) NOT NULL,
  sha256 CHAR(64) CHARACTER SET ascii NOT NULL,
  size BIGINT UNSIGNED NOT NULL,
  content_type VARCHAR(64) CHARACTER SET ascii NOT NULL,
  created_ms BIGINT NOT NULL,
  KEY ix_materials_room (room_id, id),
  KEY ix_materials_sha (sha256)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
