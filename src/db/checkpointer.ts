// WAL checkpoints copy committed pages from the -wal file into the database file and fsync both. SQLite runs them
// inside whichever commit crosses wal_autocheckpoint (1000 pages) — on the event loop, where under load they cost
// about 14 µs per refund and stall every answer in flight for milliseconds (docs/performance.md). Here a worker
// thread with a connection of its own runs PASSIVE checkpoints, which never block writers or readers, every
// CHECKPOINT_INTERVAL_MS. The serving connection keeps an automatic checkpoint, at SERVING_AUTOCHECKPOINT_PAGES:
// under sustained writes the worker never quite catches up with the last commit, and SQLite only starts the WAL
// over once every frame is checkpointed — that rare checkpoint finds almost everything copied already, and lets
// the WAL start over. Should the worker fail, the serving connection goes back to SQLite's default.
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type { DB } from './connection.js'

export const CHECKPOINT_INTERVAL_MS = 100
const AUTOCHECKPOINT_PAGES = 1000
export const SERVING_AUTOCHECKPOINT_PAGES = 16_000

// Plain CommonJS run with `eval`, so the same code serves the sources, the compiled package and the bundle;
// better-sqlite3 is passed in as a resolved path.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
// errors reach the parent as plain Errors: an SqliteError would arrive as { code } only
const guard = fn => { try { return fn() } catch (err) { throw new Error(err.message + ' (' + err.code + ')') } }
const db = guard(() => new (require(workerData.driver))(workerData.path, { timeout: workerData.busyTimeoutMs }))
db.pragma('wal_autocheckpoint = 0')
// a failing checkpoint ends the worker, and the serving connection takes checkpoints back
const timer = setInterval(() => guard(() => db.pragma('wal_checkpoint(PASSIVE)')), workerData.intervalMs)
parentPort.on('message', () => {
  clearInterval(timer)
  db.pragma('wal_checkpoint(PASSIVE)')
  db.close()
  parentPort.close()
})
parentPort.postMessage({ ready: true })
`

export interface Checkpointer {
  /** Runs a last checkpoint and ends the worker; the serving connection can be closed afterwards. */
  stop(): Promise<void>
}

export interface CheckpointerOptions {
  intervalMs?: number
  /** told when the worker fails, and the serving connection checkpoints again */
  onError: (message: string) => void
}

/** Moves checkpoints of the file database behind `db` to a worker thread; stop it before closing `db`. */
export async function startCheckpointer (db: DB, opts: CheckpointerOptions): Promise<Checkpointer> {
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      path: db.name,
      busyTimeoutMs: db.pragma('busy_timeout', { simple: true }),
      intervalMs: opts.intervalMs ?? CHECKPOINT_INTERVAL_MS
    }
  })
  let stopping = false
  let failure = 'it exited'
  worker.on('error', (err: Error) => { failure = err.message })
  const exited = new Promise<void>(resolve => worker.once('exit', () => {
    if (!stopping) {
      db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`)
      opts.onError(`checkpoint worker failed (${failure}); checkpoints run in the serving connection again`)
    }
    resolve()
  }))
  const started = await Promise.race([new Promise<boolean>(resolve => worker.once('message', () => resolve(true))), exited.then(() => false)])
  if (started) {
    // a checkpointer that was not stopped does not keep the process alive
    worker.unref()
    db.pragma(`wal_autocheckpoint = ${SERVING_AUTOCHECKPOINT_PAGES}`)
  }
  return {
    async stop () {
      stopping = true
      // referenced again: the process waits for the last checkpoint
      worker.ref()
      worker.postMessage('stop')
      await exited
    }
  }
}
