// Logs for the reader in front of them, and a start that says what to do next: under a pseudo-terminal (`script`)
// readable lines and a block of facts; piped, JSON lines as before, the same facts in one "ready" line;
// LOG_FORMAT forces either; the facts are true for each configuration.
import t from 'tap'
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../src/config.js'
import { isPretty, prettyMessage } from '../src/logger.js'
import { startBlock, startFacts } from '../src/start-banner.js'
import { freePort, run, SERVER } from './process.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CLI = join(ROOT, 'src/cli.ts')
const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`
const hasScript = (() => { try { execFileSync('script', ['-V'], { stdio: 'ignore' }); return true } catch { return false } })()
const noTerminal = hasScript ? false : 'no `script` (util-linux) to make a pseudo-terminal'
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

interface Terminal { output: () => string, stop: (all?: boolean) => Promise<number | null> }

/** The processes under `pid`, children first. */
function descendants (pid: number): number[] {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' }).trim().split('\n').map(l => l.trim().split(/\s+/).map(Number))
  const out: number[] = []
  for (let queue = [pid]; queue.length > 0;) {
    const parent = queue.shift() as number
    const children = rows.filter(r => r[1] === parent).map(r => r[0] as number)
    out.push(...children)
    queue = [...queue, ...children]
  }
  return out
}

/** Runs `command` (exec'd by the shell) under a pseudo-terminal, as a person at a terminal would. */
function underTerminal (command: string, env: Record<string, string>): Terminal {
  const child = spawn('script', ['-qfec', `exec ${command}`, '/dev/null'], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c })
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  return {
    output: () => out.replaceAll('\r', ''),
    stop: async (all = false) => {
      // SIGTERM to the server itself (the shell exec'd it: script's only child), so it stops gracefully
      const pids = descendants(child.pid as number)
      for (const pid of all ? pids : pids.slice(0, 1)) {
        try { process.kill(pid, 'SIGTERM') } catch {} // a shell in between may be gone already
      }
      return exited
    }
  }
}

async function until (what: () => boolean, ms = 30_000): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < ms; await sleep(25)) if (what()) return true
  return false
}

const SOURCE_SERVER = [process.execPath, ...process.execArgv, SERVER].map(quote).join(' ')
const SOURCE_CLI = [process.execPath, ...process.execArgv, CLI].map(quote).join(' ')

t.test('at a terminal: the start block, then one readable line per request; no JSON', { skip: noTerminal }, async t => {
  const port = await freePort()
  const term = underTerminal(SOURCE_SERVER, { PORT: String(port), DATABASE_PATH: ':memory:', LOG_LEVEL: 'info', LOG_FORMAT: '' })
  t.ok(await until(() => term.output().includes('  look at ')), term.output())
  const url = `http://127.0.0.1:${port}`
  await fetch(`${url}/refunds/`, { method: 'POST', headers: { authorization: 'Token sk_live_secret_123456', 'x-simple-workspace': 'acc_1' } })
  t.ok(await until(() => term.output().includes('POST /refunds/ 401 ')), 'the request as one line: method, path, status, time')
  t.equal(await term.stop(), 0)
  const text = term.output()
  t.match(text, `piriod-mock listening on ${url}\n  data       in memory: gone when it stops\n  tokens     any well-formed "Authorization: Token <key>"`)
  t.match(text, `  look at    ${url}/__admin/ (dashboard)`)
  t.match(text, /\n\S*\[\d\d:\d\d:\d\d\.\d{3}\]\S* \S*INFO\S*: \S*POST \/refunds\/ 401 \d+\.\d ms/, 'a time, a level, the request')
  t.notMatch(text, /^\{"level"/m, 'no JSON line')
  t.notMatch(text, /secret_123456/, 'no credential')
})

t.test('npm start under a pseudo-terminal (script -qc "npm start" /dev/null) reads as text', { skip: noTerminal }, async t => {
  const port = await freePort()
  // --ignore-scripts: npm test built dist/ already, and a rebuild here would rewrite it under the other tests
  const term = underTerminal('npm start --ignore-scripts', { PORT: String(port), DATABASE_PATH: ':memory:', LOG_LEVEL: 'info', LOG_FORMAT: '' })
  t.ok(await until(() => term.output().includes('  look at ')), term.output())
  t.match(term.output(), `piriod-mock listening on http://127.0.0.1:${port}\n`)
  t.notMatch(term.output(), /^\{"level"/m)
  // npm does not pass SIGTERM on to the server it started: every process under script's is stopped
  await term.stop(true)
})

t.test('piped: JSON lines as before, the facts in one "ready" line', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'piriod-logs-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const port = await freePort()
  const proc = run({ PORT: String(port), DATABASE_PATH: join(dir, 'db.sqlite'), API_TOKENS: 'tok_a,tok_b=acc_1', ADMIN_TOKEN: 'adm_secret_1' })
  t.ok(await until(() => proc.logs.some(l => l.includes('"msg":"ready"'))), proc.stderr())
  await fetch(`http://127.0.0.1:${port}/refunds/`, { method: 'POST' })
  t.ok(await until(() => proc.logs.some(l => l.includes('"msg":"request completed"'))))
  proc.child.kill('SIGTERM')
  t.equal(await proc.exited, 0)
  const lines = proc.logs.filter(l => l !== '').map(l => JSON.parse(l) as Record<string, unknown>)
  t.ok(lines.length >= 3 && lines.every(l => typeof l.level === 'number' && typeof l.time === 'number'), 'every line is pino JSON')
  const ready = lines.find(l => l.msg === 'ready')
  t.match(ready, {
    level: 30,
    url: `http://127.0.0.1:${port}`,
    data: `${join(dir, 'db.sqlite')} (kept between runs)`,
    tokens: 'only the 2 tokens in API_TOKENS (sk_live_ keys are refused)',
    admin: 'guarded: send "Authorization: Token <ADMIN_TOKEN>"',
    dashboard: `http://127.0.0.1:${port}/__admin/`,
    journal: `http://127.0.0.1:${port}/__admin/requests`
  })
  t.notMatch(proc.logs.join('\n'), /tok_a|tok_b|adm_secret_1/, 'no token in the logs')
  t.notMatch(proc.logs.join('\n'), /listening on http[^"]*\n/, 'the plain line is the command line\'s, not npm start\'s')
})

t.test('LOG_FORMAT forces either: pretty into a pipe, json at a terminal', { skip: noTerminal }, async t => {
  const port = await freePort()
  const proc = run({ PORT: String(port), DATABASE_PATH: ':memory:', LOG_FORMAT: 'pretty' })
  t.ok(await until(() => proc.logs.some(l => l.startsWith('  look at '))), proc.stderr())
  proc.child.kill('SIGTERM')
  t.equal(await proc.exited, 0)
  t.notOk(proc.logs.some(l => l.startsWith('{')), 'no JSON')
  t.notOk(proc.logs.join('\n').includes('\u001b['), 'no colours into a pipe')

  const port2 = await freePort()
  const term = underTerminal(SOURCE_SERVER, { PORT: String(port2), DATABASE_PATH: ':memory:', LOG_FORMAT: 'json' })
  t.ok(await until(() => term.output().includes('"msg":"ready"')), term.output())
  t.equal(await term.stop(), 0)
  const lines = term.output().split('\n').filter(l => l !== '')
  t.ok(lines.every(l => l.startsWith('{"level":')), 'JSON lines only')
})

t.test('npx piriod-mock says the same: the block at a terminal; piped, the ready line and its plain line', { skip: noTerminal }, async t => {
  const port = await freePort()
  const term = underTerminal(`${SOURCE_CLI} --port ${port} --db :memory: --api-tokens tok_only`, { LOG_LEVEL: 'warn', LOG_FORMAT: '' })
  t.ok(await until(() => term.output().includes('  look at ')), term.output())
  t.equal(await term.stop(), 0)
  t.match(term.output(), `piriod-mock listening on http://127.0.0.1:${port}\n  data       in memory: gone when it stops\n  tokens     only the token in API_TOKENS`)
  t.equal(term.output().split('piriod-mock listening on').length, 2, 'said once')

  // piped, stdout is JSON lines only (jq reads it line by line); the plain line scripts wait for is on stderr
  const piped = run({ LOG_LEVEL: 'info' }, [CLI, '--port', '0', '--db', ':memory:'])
  t.ok(await until(() => piped.stderr().includes('piriod-mock listening on ')), piped.stderr())
  t.ok(await until(() => piped.logs.some(l => l.includes('"msg":"ready"'))), 'and the ready line')
  const url = /listening on (\S+)/.exec(piped.stderr())?.[1] as string
  await fetch(`${url}/refunds/`, { method: 'POST' })
  t.ok(await until(() => piped.logs.some(l => l.includes('"msg":"request completed"'))))
  piped.child.kill('SIGTERM')
  t.equal(await piped.exited, 0)
  const stdout = piped.logs.filter(l => l !== '')
  t.ok(stdout.length >= 3)
  for (const line of stdout) t.doesNotThrow(() => JSON.parse(line), `a JSON line: ${line.slice(0, 80)}`)
  const quiet = run({ LOG_LEVEL: 'silent' }, [CLI, '--port', '0', '--db', ':memory:'])
  t.ok(await until(() => quiet.stderr().includes('piriod-mock listening on ')), 'silent: the line scripts wait for, on stderr')
  quiet.child.kill('SIGTERM')
  t.equal(await quiet.exited, 0)
  t.strictSame(quiet.logs.filter(l => l !== ''), [], 'and nothing on stdout')

  const silent = underTerminal(`${SOURCE_CLI} --port 0 --db :memory:`, { LOG_LEVEL: 'silent', LOG_FORMAT: '' })
  t.ok(await until(() => silent.output().includes('piriod-mock listening on ')), 'silent: only the line scripts wait for')
  t.equal(await silent.stop(), 0)
  t.notMatch(silent.output(), /look at|INFO/)
})

t.test('the start facts are true for each configuration', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'piriod-facts-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const cases: Array<[Record<string, string>, RegExp[]]> = [
    [{}, [/data {7}.*data\/piriod-mock\.sqlite \(kept between runs\)/, /tokens {5}any well-formed .*sk_live_ keys are refused/, /admin API {2}open: no token needed/]],
    [{ DATABASE_PATH: ':memory:', ALLOW_LIVE_TOKENS: 'true' }, [/in memory: gone when it stops/, /sk_live_ keys too/]],
    [{ API_TOKENS: 'tok_a=acc_1|acc_2' }, [/only the token in API_TOKENS/]],
    [{ ADMIN_TOKEN: 'adm_x' }, [/admin API {2}guarded/]],
    [{ JOURNAL_FILE: 'journal.ndjson' }, [new RegExp(`journal {4}also appended to ${resolve('journal.ndjson').replaceAll('/', '\\/')}`)]]
  ]
  for (const [env, expected] of cases) {
    const config = loadConfig(env)
    const block = startBlock(startFacts(config, 'http://127.0.0.1:1'), config)
    for (const re of expected) t.match(block, re, JSON.stringify(env))
    t.notMatch(block, /tok_a|adm_x/, 'never a token')
  }
  t.notMatch(startBlock(startFacts(loadConfig({}), 'u'), loadConfig({})), /journal/, 'no journal line without JOURNAL_FILE')

  // and the server behind such a block does what it says
  const db = join(dir, 'x.sqlite')
  const port = await freePort()
  const proc = run({ PORT: String(port), DATABASE_PATH: db, API_TOKENS: 'tok_a', ADMIN_TOKEN: 'adm_secret_2' })
  t.ok(await until(() => proc.logs.some(l => l.includes('"msg":"ready"'))), proc.stderr())
  const ready = JSON.parse(proc.logs.find(l => l.includes('"msg":"ready"')) as string) as Record<string, string>
  t.ok(existsSync(db), `the data is where it says: ${ready.data}`)
  const refund = async (token: string): Promise<number> => (await fetch(`${ready.url}/refunds/`, { method: 'POST', headers: { authorization: `Token ${token}`, 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }, body: '{}' })).status
  t.equal(await refund('tok_other'), 401, 'only the token in API_TOKENS')
  t.equal(await refund('tok_a'), 400)
  t.equal((await fetch(`${ready.url}/__admin/payments`)).status, 401, 'the admin API is guarded')
  const dashboard = await fetch(ready.dashboard as string)
  t.equal(dashboard.status, 200)
  t.match(dashboard.headers.get('content-type'), /^text\/html/)
  t.equal((await fetch(ready.journal as string, { headers: { authorization: 'Token adm_secret_2' } })).status, 200)
  proc.child.kill('SIGTERM')
  t.equal(await proc.exited, 0)
})

t.test('the pieces: when logs are readable, and a request as one line', async t => {
  t.equal(isPretty('auto', true), true)
  t.equal(isPretty('auto', false), false)
  t.equal(isPretty('json', true), false)
  t.equal(isPretty('pretty', false), true)
  t.equal(prettyMessage({ msg: 'shutting down' }), 'shutting down')
  t.equal(prettyMessage({}), '')
  t.equal(prettyMessage({ req: { method: 'GET', url: '/x?api_key=…' }, res: { statusCode: 200 }, responseTime: 1.234 }), 'GET /x?api_key=… 200 1.2 ms')
  t.equal(prettyMessage({ req: { method: 'POST', url: '/refunds/' } }), 'POST /refunds/ - 0.0 ms', 'a request that never got an answer')
})

t.test('the programmatic API: silent by default, JSON or readable lines when asked', async t => {
  const script = (options: string): string => `import { startPiriodMock } from ${JSON.stringify(join(ROOT, 'src/index.ts'))}
const mock = await startPiriodMock(${options})
await fetch(mock.url + '/refunds/', { method: 'POST' })
await mock.close()`
  const outputs: string[] = []
  for (const options of ['{}', "{ logLevel: 'info' }", "{ logLevel: 'info', logFormat: 'pretty' }"]) {
    const child = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', script(options)], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c })
    const code = await new Promise(resolve => child.on('exit', resolve))
    t.equal(code, 0, options)
    outputs.push(out)
  }
  t.equal(outputs[0], '', 'silent')
  t.match(outputs[1], /^\{"level":30,.*"msg":"request completed"/m, 'JSON lines')
  t.match(outputs[2], /INFO.*: POST \/refunds\/ 401 /, 'readable lines')
  t.notMatch(outputs[2], /^\{/m)
})
