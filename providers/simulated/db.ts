/**
 * The simulated tenant's SQLite schema and connection settings. One file,
 * WAL journal, foreign keys on. Times are integer milliseconds on the tenant
 * clock; identities are stored lower-case. SKU consumption is never stored:
 * it is counted from user_licenses, so it cannot drift from the assignments.
 */
import Database from "better-sqlite3";

export const SCHEMA_VERSION = "1";

export const SCHEMA_SQL = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE skus (
  part_number   TEXT PRIMARY KEY,
  sku_id        TEXT NOT NULL UNIQUE,
  prepaid       INTEGER NOT NULL CHECK (prepaid >= 0),
  service_plans TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE users (
  id                TEXT PRIMARY KEY,
  upn               TEXT NOT NULL,
  display_name      TEXT NOT NULL,
  account_enabled   INTEGER NOT NULL,
  usage_location    TEXT,
  synced            INTEGER NOT NULL,
  deleted_at        INTEGER,
  password_reset_at INTEGER
) WITHOUT ROWID;
CREATE INDEX users_by_upn ON users (upn, id);
CREATE UNIQUE INDEX users_live_upn ON users (upn) WHERE deleted_at IS NULL;
CREATE INDEX users_deleted ON users (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE user_licenses (
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  sku     TEXT NOT NULL REFERENCES skus (part_number),
  PRIMARY KEY (user_id, sku)
) WITHOUT ROWID;
CREATE INDEX user_licenses_by_sku ON user_licenses (sku);

CREATE TABLE mailboxes (
  address         TEXT PRIMARY KEY,
  display_name    TEXT NOT NULL,
  alias           TEXT NOT NULL,
  type            TEXT NOT NULL CHECK (type IN ('user', 'shared')),
  user_id         TEXT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
  size_bytes      INTEGER NOT NULL,
  litigation_hold INTEGER NOT NULL,
  archive         INTEGER NOT NULL,
  ready_at        INTEGER,
  deleted_at      INTEGER,
  disconnect_at   INTEGER,
  management_tag  TEXT
) WITHOUT ROWID;
CREATE INDEX mailboxes_ready ON mailboxes (ready_at) WHERE ready_at IS NOT NULL;
CREATE INDEX mailboxes_deleted ON mailboxes (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX mailboxes_disconnect ON mailboxes (disconnect_at) WHERE disconnect_at IS NOT NULL;

CREATE TABLE grants (
  mailbox      TEXT NOT NULL REFERENCES mailboxes (address) ON DELETE CASCADE,
  access_right TEXT NOT NULL CHECK (access_right IN ('FullAccess', 'SendAs', 'SendOnBehalf')),
  trustee      TEXT NOT NULL,
  auto_mapping INTEGER,
  effective_at INTEGER,
  PRIMARY KEY (mailbox, access_right, trustee)
) WITHOUT ROWID;
CREATE INDEX grants_by_trustee ON grants (trustee);
CREATE INDEX grants_pending ON grants (effective_at) WHERE effective_at IS NOT NULL;

CREATE TABLE log (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  at        INTEGER NOT NULL,
  operation TEXT NOT NULL,
  target    TEXT NOT NULL,
  args      TEXT NOT NULL,
  outcome   TEXT NOT NULL CHECK (outcome IN ('ok', 'error')),
  kind      TEXT,
  code      TEXT,
  message   TEXT
);
`;

/** How long a write waits for another process's write to finish, unless EXOFORM_TENANT_BUSY_TIMEOUT_MS says otherwise. */
export const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

/** The busy timeout connections get: EXOFORM_TENANT_BUSY_TIMEOUT_MS (a whole number of ms), else the default. */
export function busyTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env["EXOFORM_TENANT_BUSY_TIMEOUT_MS"];
  const ms = raw === undefined || raw.trim() === "" ? Number.NaN : Number(raw);
  return Number.isSafeInteger(ms) && ms >= 0 ? ms : DEFAULT_BUSY_TIMEOUT_MS;
}

/**
 * Open (or create) the database file with the settings every connection uses.
 *
 * Several processes may use one file at once (an apply, plan and drift,
 * `exoform tenant set`, `tenant show`). WAL: readers never wait for a writer
 * and never block one, as long as they only read (runner.ts: reads take no
 * write lock). Writers take the write lock when their transaction begins
 * (BEGIN IMMEDIATE, runner.ts), so two writers never deadlock upgrading a
 * read to a write; one waits for the other up to the busy timeout, then gets
 * the runner's TenantBusy error.
 */
export function connect(path: string, mustExist: boolean): Database.Database {
  const db = new Database(path, { fileMustExist: mustExist });
  // on a file already in WAL mode (every tenant) this only reads the mode: it works on a read-only file too
  db.pragma("journal_mode = WAL");
  // NORMAL in WAL mode: a killed process never loses or half-applies a commit
  // (only an OS crash may lose the last ones), which is what crash tests check.
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma(`busy_timeout = ${busyTimeoutMs()}`);
  // Checkpoint the WAL into the file every 10,000 pages (about 40 MB) rather than SQLite's 1,000: each checkpoint
  // syncs the file, and an apply commits once per write. 100k grant writes: 4,464 -> 5,486-5,755 writes/s
  // (issue 15). Durability is the same: what is committed is in the WAL, checkpointed or not.
  db.pragma("wal_autocheckpoint = 10000");
  // bulk reads of a million grants: map the file and keep a large page cache
  db.pragma("mmap_size = 1073741824");
  db.pragma("cache_size = -65536");
  return db;
}

/** The SQLite result code of an error thrown by better-sqlite3 ("SQLITE_BUSY_SNAPSHOT"...), or undefined. */
export function sqliteCode(e: unknown): string | undefined {
  return e instanceof Database.SqliteError ? e.code : undefined;
}

/** Another connection holds the lock this one needs (SQLITE_BUSY and its extended codes). */
export const isBusy = (e: unknown): boolean => sqliteCode(e)?.startsWith("SQLITE_BUSY") === true || sqliteCode(e)?.startsWith("SQLITE_LOCKED") === true;
/** The file (or its folder, or its -wal/-shm files) cannot be written (SQLITE_READONLY and its extended codes). */
export const isReadOnly = (e: unknown): boolean => sqliteCode(e)?.startsWith("SQLITE_READONLY") === true;
/** The file is damaged or not a database. */
export const isDamaged = (e: unknown): boolean => sqliteCode(e)?.startsWith("SQLITE_CORRUPT") === true || sqliteCode(e) === "SQLITE_NOTADB";
