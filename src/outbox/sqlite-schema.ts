/** SQLite schema of the embedded outbox (WAL mode, one file under storage.path). */
export const SCHEMA_VERSION = 1;

/** The job_progress table (its purpose: see SCHEMA_SQL). */
export const PROGRESS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS job_progress (
  id INTEGER PRIMARY KEY,
  item_offset INTEGER NOT NULL,
  parts_sent INTEGER NOT NULL,
  parts_total INTEGER,
  sending_since INTEGER
);`;

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
-- The columns a delivery changes on every message of a queued job, kept beside it: an UPDATE of
-- jobs rewrites the whole row, notification text included (5 MB for a 10,000-alert webhook, three
-- times per message). A row here overrides the job's own columns; it is folded back into the job
-- and deleted when the job leaves the queue (sent or dead).
${PROGRESS_TABLE_SQL}
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
