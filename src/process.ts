// Running as a process (the server entry and the command line): exit codes, signals, and one line on stderr for a
// start-up problem.
import closeWithGrace from 'close-with-grace'
import { environment, loadConfig } from './config.js'
import { loggerOptions } from './logger.js'
import { startEmulator, type Running } from './emulator.js'

/** Start-up problems the user can fix: one line on stderr, exit 1, no stack trace. */
export function fatal (message: string): never {
  process.stderr.write(`piriod-mock: ${message}\n`)
  process.exit(1)
}

/** Starts with `env` (or process.env) and stops gracefully on SIGTERM/SIGINT; a start-up problem exits 1. */
export async function serve (env: NodeJS.ProcessEnv = environment()): Promise<Running> {
  let running: Running
  try {
    const config = loadConfig(env)
    running = await startEmulator(config, { logger: loggerOptions(config.LOG_LEVEL) })
  } catch (err) {
    return fatal((err as Error).message)
  }
  // Installed in the same turn as listen() resolved: no request, and no signal handler, runs in between.
  const { app } = running
  closeWithGrace({ delay: 5000, logger: app.log }, async ({ err, signal }) => {
    if (err !== undefined) app.log.error({ err }, 'shutting down after an error')
    else app.log.info({ signal }, 'shutting down')
    await running.close()
  })
  return running
}
