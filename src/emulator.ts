// Building and starting an emulator: seed file → database → migrations → app → seed → listen → checkpoints.
// Shared by the server entry (environment), the command line (flags) and the programmatic API (options).
// Problems a user can fix come out as a StartError with one line that names them.
import { isIPv4, isIPv6, type AddressInfo } from 'node:net'
import type { FastifyServerOptions } from 'fastify'
import { buildApp, type App } from './app.js'
import type { Config } from './config.js'
import { StartError } from './start-error.js'
import { connectionLimit } from './connections.js'
import { startCheckpointer, type Checkpointer } from './db/checkpointer.js'
import { MEMORY, openDatabase, type DB } from './db/connection.js'
import { migrate } from './db/migrate.js'
import { openJournalFile, type JournalFile } from './test-kit/journal-file.js'
import { loadSeedFile, SeedError } from './test-kit/seed.js'
import { refundIdTaken } from './test-kit/snapshot.js'
import type { SeedDocument } from './test-kit/snapshot.js'

// a server listening on every interface is reached through loopback
const LOOPBACK: Record<string, string> = { '0.0.0.0': '127.0.0.1', '::': '::1' }

/** Whether a bind address is reachable only from this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopback (host: string): boolean {
  const h = host.toLowerCase()
  return h === 'localhost' || h === '::1' || h === '[::1]' || (isIPv4(h) && h.startsWith('127.'))
}

export interface Running {
  app: App
  db: DB
  /** http://host:port, with a loopback host when the server listens on every interface */
  url: string
  /** Stops accepting connections, lets requests in flight finish, then closes the database. */
  close(): Promise<void>
}

export interface StartOptions {
  logger: NonNullable<FastifyServerOptions['logger']>
  /** what to load when SEED_FILE is not set (the programmatic API's `seed`) */
  seed?: SeedDocument
}

/** A problem with the seed file or the database, in one line. */
function storageProblem (err: unknown, config: Config): string {
  if (err instanceof SeedError) return err.message
  const code = (err as { code?: unknown }).code
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return `DATABASE_PATH ${config.DATABASE_PATH}: not an SQLite database, or corrupt`
  const suffix = typeof code === 'string' && code.startsWith('SQLITE_') ? ` (${code})` : ''
  // the usual cause: a bind-mounted folder that belongs to another user (in the image: a host folder at /data)
  const hint = code === 'SQLITE_CANTOPEN' ? '; it must name a file in a folder the server\'s user can write' : ''
  return `DATABASE_PATH ${config.DATABASE_PATH}: ${(err as Error).message}${suffix}${hint}`
}

/** JOURNAL_FILE, opened; a file that cannot be written stops the start with one line. */
function journalFileOf (config: Config, warn: (message: string) => void): JournalFile | undefined {
  if (config.JOURNAL_FILE === '') return undefined
  try {
    return openJournalFile(config.JOURNAL_FILE, config.JOURNAL_FILE_MAX_BYTES, warn)
  } catch (err) {
    throw new StartError(`JOURNAL_FILE ${config.JOURNAL_FILE}: cannot be written (${(err as Error).message})`)
  }
}

export async function startEmulator (config: Config, opts: StartOptions): Promise<Running> {
  // a write that fails later is reported through the app's logger (no entry is written before the app exists)
  const journalFile = journalFileOf(config, message => { app.log.warn(message) })
  let db: DB | undefined
  let seed: SeedDocument
  try {
    seed = config.SEED_FILE === '' ? opts.seed ?? { payments: [], clockUs: null } : loadSeedFile(config.SEED_FILE)
    db = openDatabase(config.DATABASE_PATH, { maxBytes: config.MAX_DB_BYTES })
    migrate(db)
  } catch (err) {
    db?.close()
    journalFile?.close()
    throw new StartError(storageProblem(err, config))
  }
  const app = await buildApp({
    config,
    db,
    ready: false,
    ...(journalFile === undefined ? {} : { onJournalEntry: entry => { journalFile.append(entry) } })
  }, { logger: opts.logger })
  app.addHook('onClose', (_app, done) => {
    journalFile?.close()
    done()
  })
  try {
    const seeded = seed.payments.length > 0 ? app.snapshots.seed(seed.payments) : undefined
    if (seeded?.kind === 'refund_id_taken') {
      const [[at, [message]]] = Object.entries(refundIdTaken(seeded)) as [[string, [string]]]
      throw new SeedError(`${config.SEED_FILE === '' ? 'seed' : `SEED_FILE ${config.SEED_FILE}`}: ${at}: ${message}`)
    }
    if (seed.clockUs !== null) app.clock.catchUp(seed.clockUs)
    app.readiness.ready = true
  } catch (err) {
    await app.close()
    db.close()
    throw new StartError(storageProblem(err, config))
  }
  app.server.maxConnections = connectionLimit()
  try {
    await app.listen({ port: config.PORT, host: config.HOST })
  } catch (err) {
    await app.close()
    db.close()
    throw new StartError(`cannot listen on ${config.HOST}:${config.PORT}: ${(err as Error).message}`)
  }
  const { port } = app.server.address() as AddressInfo
  if (!isLoopback(config.HOST) && config.ADMIN_TOKEN === '') {
    app.log.warn(`ADMIN_TOKEN is not set and the server listens on ${config.HOST}: anyone who can reach port ${port} can ` +
      'reset or replace the data, read the request journal and inject faults. Set ADMIN_TOKEN.')
  }
  const host = LOOPBACK[config.HOST] ?? config.HOST
  const running = { app, db }
  // after listening, and not waited for: the worker takes a few tens of milliseconds to start
  const checkpointer: Promise<Checkpointer> | undefined = config.DATABASE_PATH === MEMORY
    ? undefined
    : startCheckpointer(db, { onError: app.log.warn.bind(app.log) })
  return {
    ...running,
    url: `http://${isIPv6(host) ? `[${host}]` : host}:${port}`,
    async close () {
      await running.app.close()
      await (await checkpointer)?.stop()
      running.db.close()
    }
  }
}
