// SQLite errors a client can do nothing about but wait or fix the disk: answered 503, never a 500.
import { detail, type ApiError } from '../errors.js'

const UNAVAILABLE: Record<string, string> = {
  SQLITE_BUSY: 'The database is locked by another process; try again.',
  SQLITE_LOCKED: 'The database is locked by another process; try again.',
  SQLITE_FULL: 'The database disk is full; nothing was written.',
  SQLITE_READONLY: 'The database is read-only; nothing was written.',
  SQLITE_IOERR: 'The database could not be written; nothing was written.',
  SQLITE_CANTOPEN: 'The database file cannot be opened; nothing was written.'
}

/** The 503 for an SQLite error that says the database is unavailable, or undefined for any other error. */
export function unavailableError (err: unknown): ApiError | undefined {
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return undefined
  // extended codes (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED) share their primary code's answer
  const text = UNAVAILABLE[code.split('_', 2).join('_')]
  return text === undefined ? undefined : detail(503, text)
}

export function rethrowUnavailable (err: unknown): never {
  throw unavailableError(err) ?? err
}
