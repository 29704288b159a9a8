// Starts src/server.ts in a child process, as `npm start` would run dist/server.js, through the same TypeScript
// loader tap runs this test with (process.execArgv), so coverage includes the child.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { createServer, type AddressInfo } from 'node:net'

export const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url))

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const START = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
/** What `npm start` runs after `node`, node flags included, with absolute paths: the built server (npm test builds it first). */
export const START_ARGS = START.split(' ').slice(1).map(arg => arg.startsWith('-') ? arg : join(ROOT, arg))

export interface Server {
  url: string
  child: ChildProcess
  /** stdout lines so far (pino JSON) */
  logs: string[]
  stderr: () => string
  /** sends the signal and resolves with the exit code */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>
  exited: Promise<number | null>
}

export interface RunOptions {
  /** run the built server as `npm start` does (plain node, no TypeScript loader, no coverage) */
  bundle?: boolean
}

export function run (env: Record<string, string>, args: string[] = [SERVER], opts: RunOptions = {}): { child: ChildProcess, logs: string[], stderr: () => string, exited: Promise<number | null> } {
  const child = spawn(process.execPath, opts.bundle === true ? START_ARGS : [...process.execArgv, ...args], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const logs: string[] = []
  let err = ''
  let partial = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n')
    partial = lines.pop() ?? ''
    logs.push(...lines)
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { err += chunk })
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  return { child, logs, stderr: () => err, exited }
}

/** A port that was free a moment ago (the server binds it right after; a clash would fail the test loudly). */
export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise(resolve => server.close(resolve))
  return port
}

/** Starts a server and waits until its health check answers; it is killed at teardown if still running. */
export async function startServer (t: Test, env: Record<string, string>, opts: RunOptions = {}): Promise<Server> {
  const port = env.PORT ?? String(await freePort())
  const proc = run({ ...env, PORT: port }, [SERVER], opts)
  t.teardown(() => { if (proc.child.exitCode === null) proc.child.kill('SIGKILL') })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`server exited ${proc.child.exitCode}: ${proc.stderr()}`)
    if (Date.now() > deadline) throw new Error(`server did not start: ${proc.stderr()}`)
    const ok = await fetch(`${url}/__admin/health`).then(r => r.ok, () => false)
    if (ok) break
    await new Promise(resolve => setTimeout(resolve, 25))
  }
  return {
    ...proc,
    url,
    stop: async (signal = 'SIGTERM') => {
      proc.child.kill(signal)
      return proc.exited
    }
  }
}
