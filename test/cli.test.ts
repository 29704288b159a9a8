// The piriod-mock command (src/cli.ts, bin of the package).
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ConfigSchema } from '../src/config.js'
import { run } from './process.js'

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url))
// removed with the test run (tap's fixture folder)
const dir = t.testdir()

/** Waits for a line on stderr (stdout carries JSON lines only). */
async function waitForLine (proc: ReturnType<typeof run>, pattern: RegExp): Promise<RegExpExecArray> {
  for (let i = 0; i < 600; i++) {
    for (const line of proc.stderr().split('\n')) {
      const m = pattern.exec(line)
      if (m !== null) return m
    }
    if (proc.child.exitCode !== null) throw new Error(`exited ${proc.child.exitCode}: ${proc.stderr()}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  throw new Error('no such line')
}

t.test('--help lists every option; --version', async t => {
  const [help, version] = [run({}, [CLI, '--help']), run({}, [CLI, '--version'])]
  t.equal(await help.exited, 0)
  const text = help.logs.join('\n')
  for (const key of Object.keys(ConfigSchema.properties)) {
    t.match(text, `--${key.toLowerCase().replace(/_/g, '-')}`, key)
    t.match(text, `env ${key}`)
  }
  t.match(text, '(--db)')
  t.match(text, '(--seed)')
  t.equal(await version.exited, 0)
  t.match(version.logs[0], /^\d+\.\d+\.\d+$/)
})

t.test('flags mirror the environment and win over it; the URL is printed', async t => {
  const seed = join(dir, 'seed.json')
  writeFileSync(seed, JSON.stringify({ payments: [{ workspace: 'acc_1', id: 501, amount: 100 }] }))
  const proc = run({ PORT: 'not-a-port', LOG_LEVEL: 'info' }, [CLI, '--port', '0', '--db', ':memory:', '--seed', seed, '--log-level=warn', '--api-tokens', 'tok_cli', '--allow-live-tokens'])
  t.teardown(() => { if (proc.child.exitCode === null) proc.child.kill('SIGKILL') })
  const [, url] = await waitForLine(proc, /^piriod-mock listening on (http:\/\/127\.0\.0\.1:\d+)$/)
  const payment = await (await fetch(`${url}/__admin/payments/501`, { headers: { 'x-simple-workspace': 'acc_1' } })).json() as { balance: number }
  t.equal(payment.balance, 100, 'the seed was loaded')
  const refused = await fetch(`${url}/refunds/`, { method: 'POST', headers: { authorization: 'Token other', 'x-simple-workspace': 'acc_1' } })
  t.equal(refused.status, 401, 'API_TOKENS came from --api-tokens')
  t.strictSame(proc.logs.filter(l => l !== ''), [], 'LOG_LEVEL=warn from --log-level=warn: no request lines, nothing else on stdout')
  proc.child.kill('SIGTERM')
  t.equal(await proc.exited, 0)
})

t.test('bad flags stop with one line', async t => {
  const cases: Array<[string[], RegExp]> = [
    [['--nope'], /^piriod-mock: Unknown option '--nope'.* \(see --help\)\n$/],
    [['--port'], /^piriod-mock: Option '--port <value>' argument missing \(see --help\)\n$/],
    [['--journal-size=x', '--db', ':memory:'], /^piriod-mock: JOURNAL_SIZE must be an integer from 0 to 100000, got "x"\n$/],
    [['stray'], /^piriod-mock: Unexpected argument 'stray'.* \(see --help\)\n$/],
    // the holes a first hour found: each stops the start with one line
    [['--api-tokens', ',,', '--db', ':memory:'], /^piriod-mock: API_TOKENS holds no token \(",,"\): leave it empty to accept any token, or list them\n$/],
    [['--api-tokens', 'tok_a,sk_live_abc123', '--db', ':memory:'], /^piriod-mock: API_TOKENS entry 2 looks like a live key \(sk_live_…\), which is refused unless ALLOW_LIVE_TOKENS=true: use a test token, or set ALLOW_LIVE_TOKENS=true\n$/],
    [['--db', '/etc/passwd/x.sqlite'], /^piriod-mock: DATABASE_PATH \/etc\/passwd\/x\.sqlite: \/etc\/passwd is a file, not a folder\n$/],
    [['--db', '/proc/nope/x.sqlite'], /^piriod-mock: DATABASE_PATH \/proc\/nope\/x\.sqlite: \/proc\/nope is in a kernel file system, which holds no files of ours\n$/],
    [['--db', ':memory:', '--journal-file', '/sys/x/j.ndjson'], /^piriod-mock: JOURNAL_FILE \/sys\/x\/j\.ndjson: cannot be written \(\/sys\/x is in a kernel file system, which holds no files of ours\)\n$/]
  ]
  const procs = cases.map(([args]) => run({}, [CLI, ...args]))
  for (const [i, [, message]] of cases.entries()) {
    const proc = procs[i] as ReturnType<typeof run>
    // (a recursive mkdir under /proc spun at full CPU forever: the answer comes at once, or not at all)
    t.equal(await Promise.race([proc.exited, new Promise(resolve => setTimeout(() => resolve('still running'), 20_000))]), 1, message.source)
    t.match(proc.stderr(), message)
  }
})
