// The only place pragmas are set. One connection per process, opened and closed by its owner.
import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'

export type DB = Database.Database

export const MEMORY = ':memory:'

/** How long a write waits for another process's transaction before giving up with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000

export function openDatabase (path: string): DB {
  if (path !== MEMORY) {
    try {
      mkdirSync(dirname(path), { recursive: true })
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code as string
      throw Object.assign(new Error(`cannot create the folder ${dirname(path)} (${code})`), { code })
    }
  }
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS })
  try {
    // Reading the schema first turns a file that is not a database into an error here, not at the first request.
    db.pragma('schema_version')
    db.pragma('foreign_keys = ON')
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
