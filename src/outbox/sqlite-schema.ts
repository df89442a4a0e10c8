/** SQLite schema of the embedded outbox (WAL mode, one file under storage.path). */
export const SCHEMA_VERSION = 1;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  receiver TEXT NOT NULL,
  notification TEXT NOT NULL,
  item_offset INTEGER NOT NULL DEFAULT 0,
  parts_sent INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  state TEXT NOT NULL DEFAULT 'pending',
  errcode INTEGER,
  reason TEXT,
  failed_at INTEGER,
  -- set while a send of this job is in flight; found set at start = the process died mid-send
  sending_since INTEGER,
  -- the notification log (console): summary at enqueue, parts planned at the last send, when sent
  summary TEXT,
  parts_total INTEGER,
  finished_at INTEGER
);
CREATE INDEX IF NOT EXISTS jobs_pending ON jobs (state, receiver, id);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, id);
CREATE TABLE IF NOT EXISTS dedup (
  key TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  receiver TEXT NOT NULL,
  source TEXT NOT NULL,
  msgtype TEXT NOT NULL,
  status TEXT NOT NULL,
  errcode INTEGER,
  reason TEXT,
  error TEXT,
  alert_count INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  body TEXT NOT NULL,
  -- JSON [{id, part, total}]: the jobs this message carried
  jobs TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_receiver_at ON deliveries (receiver, at);
-- small facts about the file; 'write_probe' is rewritten by the readiness probe
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT
);
`;
