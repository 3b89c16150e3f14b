-- Recordings catalog (issue 8): one row per recording session of a room. The captured tracks
-- and the rendered video live in `folder` on the media/render node's disk; this row says what
-- they hold and how far the render is. state: recording -> queued -> rendering -> ready | failed
-- (failed can be queued again).
CREATE TABLE IF NOT EXISTS recordings (
  id VARCHAR(64) NOT NULL,
  room_id VARCHAR(64) NOT NULL,
  started_by BIGINT UNSIGNED NULL DEFAULT NULL,
  folder VARCHAR(1024) NOT NULL,
  state VARCHAR(16) NOT NULL DEFAULT 'recording',
  started_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  stopped_at TIMESTAMP(3) NULL DEFAULT NULL,
  duration_ms BIGINT NOT NULL DEFAULT 0,
  capture_bytes BIGINT NOT NULL DEFAULT 0,
  video_bytes BIGINT NOT NULL DEFAULT 0,
  tracks INT NOT NULL DEFAULT 0,
  participants VARCHAR(4000) NOT NULL DEFAULT '[]',
  render_percent DOUBLE NOT NULL DEFAULT 0,
  render_eta_s DOUBLE NULL DEFAULT NULL,
  render_error VARCHAR(1000) NOT NULL DEFAULT '',
  render_attempts INT NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  KEY ix_recordings_room (room_id, started_at),
  KEY ix_recordings_state (state),
  KEY ix_recordings_stopped (stopped_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
