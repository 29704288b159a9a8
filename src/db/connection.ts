// The only place pragmas are set. The serving connection, one per process, is opened and closed by its owner (the
// emulator); the checkpoint worker opens one of its own (db/checkpointer.ts).
import Database from 'better-sqlite3'
import { dirname, resolve } from 'node:path'
import { makeFolder } from '../paths.js'

export type DB = Database.Database

export const MEMORY = ':memory:'

/** How long a write waits for another process's transaction before giving up with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000

export interface DatabaseOptions {
  /**
   * MAX_DB_BYTES: the most the database may hold, as SQLite's max_page_count (never below what the file holds
   * already); a write past it fails with SQLITE_FULL. Unset: SQLite's own limit.
   */
  maxBytes?: number
}

export function openDatabase (path: string, opts: DatabaseOptions = {}): DB {
  if (path !== MEMORY) makeFolder(dirname(resolve(path)))
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS })
  try {
    // Reading the schema first turns a file that is not a database into an error here, not at the first request.
    db.pragma('schema_version')
    db.pragma('foreign_keys = ON')
    if (opts.maxBytes !== undefined) {
      // the unauthenticated API stores refunds of up to a quarter MiB each: the database, file or memory, is bounded
      const pageSize = db.pragma('page_size', { simple: true }) as number
      db.pragma(`max_page_count = ${Math.ceil(opts.maxBytes / pageSize)}`)
    }
    if (path !== MEMORY) {
      db.pragma('journal_mode = WAL')
      // In WAL mode NORMAL syncs at checkpoints, not at every commit: a commit survives a crash of the process
      // (or of the emulator's container) but not a power cut — the right trade for test data (docs/performance.md).
      db.pragma('synchronous = NORMAL')
      // a WAL that grew under load is cut back to this size once it starts over
      db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`)
    }
  } catch (err) {
    db.close()
    throw err
  }
  return db
}
