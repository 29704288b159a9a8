// Entry point: loadConfig → openDatabase → migrate → seed → buildApp → listen. Owns shutdown.
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { loadConfig, type ConfigError } from './config.js'
import { MEMORY, openDatabase, type DB } from './db/connection.js'
import { startCheckpointer, type Checkpointer } from './db/checkpointer.js'
import { migrate } from './db/migrate.js'
import { createPaymentStore } from './db/payment-store.js'
import { systemClock } from './clock.js'
import { loadSeedFile, SeedError } from './seed.js'

/** Start-up problems the user can fix: one line on stderr, exit 1, no stack trace. */
function fatal (message: string): never {
  process.stderr.write(`piriod-mock: ${message}\n`)
  process.exit(1)
}

/** A problem with the seed file or the database, in one line. */
function storageProblem (err: unknown, databasePath: string): string {
  if (err instanceof SeedError) return err.message
  const code = (err as { code?: unknown }).code
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return `DATABASE_PATH ${databasePath}: not an SQLite database, or corrupt`
  const suffix = typeof code === 'string' && code.startsWith('SQLITE_') ? ` (${code})` : ''
  return `DATABASE_PATH ${databasePath}: ${(err as Error).message}${suffix}`
}

async function main (): Promise<void> {
  let config
  try {
    config = loadConfig()
  } catch (err) {
    fatal((err as ConfigError).message)
  }
  let db: DB | undefined
  try {
    const seed = config.SEED_FILE === '' ? [] : loadSeedFile(config.SEED_FILE)
    db = openDatabase(config.DATABASE_PATH)
    migrate(db)
    if (seed.length > 0) createPaymentStore(db, systemClock()).seed(seed)
  } catch (err) {
    db?.close()
    fatal(storageProblem(err, config.DATABASE_PATH))
  }
  const app = await buildApp({ config, db }, {
    logger: {
      level: config.LOG_LEVEL,
      redact: { paths: ['req.headers.authorization', 'request.headers.authorization'], censor: '[redacted]' }
    }
  })
  let checkpointer: Checkpointer | undefined
  closeWithGrace({ delay: 5000, logger: app.log }, async ({ err, signal }) => {
    if (err !== undefined) app.log.error({ err }, 'shutting down after an error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
    await checkpointer?.stop()
    db.close()
  })
  try {
    await app.listen({ port: config.PORT, host: config.HOST })
  } catch (err) {
    await app.close()
    db.close()
    fatal(`cannot listen on ${config.HOST}:${config.PORT}: ${(err as Error).message}`)
  }
  // after listening: the worker takes a few tens of milliseconds to start, and nothing waits for it
  if (config.DATABASE_PATH !== MEMORY) {
    checkpointer = await startCheckpointer(db, { onError: app.log.warn.bind(app.log) })
  }
}

await main()
