// How many connections the server holds at once: below the process's file-descriptor limit (`ulimit -n`), so that
// clients that hold sockets open can never use up the descriptors the database, the journal file and new
// connections need — past the limit a new connection is closed at once, and the server stays reachable for the
// ones that finish. Idle keep-alive connections are closed after IDLE_KEEP_ALIVE_MS (Node's own default; Fastify's
// is 72 s), so held-open idle sockets do not count for long.
import { readFileSync } from 'node:fs'

/** Descriptors kept for everything but client connections: SQLite's files (twice: the checkpoint worker), stdio, libuv. */
const RESERVED_FDS = 64
/** The most connections held at once, whatever the limit: each costs memory too. */
const MAX_CONNECTIONS = 10_000
/** Where the limit cannot be read (not Linux): macOS's default `ulimit -n`. */
const FALLBACK_FD_LIMIT = 256

export const IDLE_KEEP_ALIVE_MS = 5000

/** The soft limit on open files, from /proc/self/limits (`Max open files  1024  1048576  files`). */
export function openFileLimit (limits = '/proc/self/limits'): number {
  try {
    const line = readFileSync(limits, 'utf8').split('\n').find(l => l.startsWith('Max open files'))
    const value = line?.slice('Max open files'.length).trim().split(/\s+/)[0]
    if (value === 'unlimited') return Infinity
    const soft = Number(value)
    return Number.isSafeInteger(soft) && soft > 0 ? soft : FALLBACK_FD_LIMIT
  } catch {
    return FALLBACK_FD_LIMIT
  }
}

/** server.maxConnections for a process that may open `fdLimit` files. */
export function connectionLimit (fdLimit = openFileLimit()): number {
  const room = fdLimit > 2 * RESERVED_FDS ? fdLimit - RESERVED_FDS : Math.floor(fdLimit / 2)
  return Math.max(1, Math.min(MAX_CONNECTIONS, room))
}
