// Running as a process (the server entry and the command line): exit codes, signals, and one line on stderr for a
// start-up problem.
import closeWithGrace from 'close-with-grace'
import { environment, loadConfig, type Config } from './config.js'
import { createLogging, type Logging } from './logger.js'
import { startEmulator, type Running } from './emulator.js'
import { startBlock, startFacts } from './start-banner.js'
import { envFromArgs, help } from './cli-args.js'
import { PACKAGE_VERSION } from './paths.js'
import { harCommand } from './test-kit/har-command.js'
import { parityCommand, type ParityEmulator } from './parity/command.js'

const FAULT_SIGNALS: Array<'SIGSEGV' | 'SIGBUS' | 'SIGFPE' | 'SIGILL' | 'SIGTRAP' | 'SIGABRT'> = ['SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGTRAP', 'SIGABRT']

/** Start-up problems the user can fix: one line on stderr, exit 1, no stack trace. */
function fatal (message: string): never {
  process.stderr.write(`piriod-mock: ${message}\n`)
  process.exit(1)
}

/** Starts with `env` (or process.env), says what it started, and stops gracefully on SIGTERM/SIGINT; a start-up
 * problem exits 1. */
async function serve (env: NodeJS.ProcessEnv = environment(), opts: { listeningLine?: boolean } = {}): Promise<Running> {
  let running: Running
  let config: Config
  let logging: Logging
  try {
    config = loadConfig(env)
    logging = await createLogging(config.LOG_LEVEL, config.LOG_FORMAT, process.stdout.isTTY === true)
    running = await startEmulator(config, { logger: logging.logger })
  } catch (err) {
    return fatal((err as Error).message)
  }
  // the block for a person at a terminal, through the logs' own destination; for machines one "ready" log line —
  // stdout carries JSON lines only — and, for scripts that wait for it, the command line's documented
  // `piriod-mock listening on <url>` on stderr
  const facts = startFacts(config, running.url)
  if (logging.pretty && config.LOG_LEVEL !== 'silent') {
    logging.write(startBlock(facts, config))
  } else {
    running.app.log.info(facts, 'ready')
    if (opts.listeningLine === true) process.stderr.write(`piriod-mock listening on ${running.url}\n`)
  }
  // Installed in the same turn as listen() resolved: no request, and no signal handler, runs in between.
  const { app } = running
  // close-with-grace also takes the signals of a fault (SIGSEGV, SIGBUS, SIGFPE, SIGILL) for stop requests: a
  // handled SIGSEGV returns to the faulting instruction, which faults again — a crashed process then spins at full
  // CPU forever (seen: servers left at 60 % CPU by a closed terminal). Those keep their default: the process dies.
  closeWithGrace({ delay: 5000, logger: app.log, skip: FAULT_SIGNALS }, async ({ err, signal }) => {
    if (err !== undefined) app.log.error({ err }, 'shutting down after an error')
    else app.log.info({ signal }, 'shutting down')
    await running.close()
  })
  return running
}

/** The emulator `piriod-mock parity` compares with: in memory, on a free loopback port, silent, accepting `token` (and
 * only it: a probe with another token gets DRF's 401) whatever it looks like. Nothing of the environment applies: the
 * defaults are what Piriod does. */
export async function parityEmulator (token: string): Promise<ParityEmulator> {
  const config = loadConfig({ DATABASE_PATH: ':memory:', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent' })
  const running = await startEmulator({ ...config, tokens: new Map([[token, null]]) }, { logger: false })
  return { url: running.url, close: running.close }
}

/**
 * The command line of both entry points: every setting as a flag (flags win over the environment), --help,
 * --version. `commandLine`: the `piriod-mock` command, which also says where it listens on stderr (for scripts)
 * converts a JOURNAL_FILE (`piriod-mock har`) and compares the emulator with a target (`piriod-mock parity`).
 */
export async function main (args: string[], opts: { commandLine: boolean }): Promise<void> {
  if (opts.commandLine && args[0] === 'har') {
    process.exitCode = await harCommand(args.slice(1), process)
    return
  }
  if (opts.commandLine && args[0] === 'parity') {
    process.exitCode = await parityCommand(args.slice(1), process, parityEmulator, PACKAGE_VERSION)
    return
  }
  let env
  try {
    env = envFromArgs(args, environment())
  } catch (err) {
    return fatal(`${(err as Error).message} (see --help)`)
  }
  if (env.help === true || env.version === true) {
    process.stdout.write(env.help === true ? help() : `${PACKAGE_VERSION}\n`)
    return
  }
  await serve(env, { listeningLine: opts.commandLine })
}
