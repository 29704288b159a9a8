// npm run bench [-- --quick] [-- --no-large] [-- --out <file>]
//
// Measures the emulator against a bare Fastify baseline in the same run (only ratios measured together mean
// anything on a shared machine): each scenario runs the baseline, then the emulator, for the same duration and
// connections; then the emulator on a database of 1,000,000 refunds; then cold starts. Prints a table and writes
// test/bench/results/latest.json.
import autocannon, { type Result } from 'autocannon'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { get } from 'node:http'
import { cpus, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, START_ARGS } from '../process.js'
import { refundId } from '../../src/clock.js'
import { openDatabase } from '../../src/db/connection.js'
import { migrate } from '../../src/db/migrate.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
// the emulator runs as `npm start` runs it, node flags included: node <flags> dist/server.js
const SERVER_ARGS = START_ARGS
const BASELINE = join(ROOT, 'test/bench/baseline.ts')
const outAt = process.argv.indexOf('--out')
const OUT = outAt > 0 && process.argv[outAt + 1] !== undefined ? process.argv[outAt + 1] as string : join(ROOT, 'test/bench/results/latest.json')

const quick = process.argv.includes('--quick')
const large = !quick && !process.argv.includes('--no-large')
const DURATION = quick ? 1 : 10
const CONNECTIONS = 50
const PAYMENTS = 10_000
const HOT = PAYMENTS + 1 // the payment every refund of scenario (b) goes to
const COLD_STARTS = quick ? 3 : 5
// baseline and emulator alternate, ROUNDS times per scenario: a burst of noise on the shared machine then hits
// both sides instead of skewing one ratio
const ROUNDS = quick ? 1 : 2

const HEADERS = { authorization: 'Token bench', 'x-simple-workspace': 'acc_bench', 'content-type': 'application/json' }
const work = mkdtempSync(join(tmpdir(), 'piriod-bench-'))

function healthy (port: number): Promise<boolean> {
  return new Promise(resolve => {
    const req = get({ host: '127.0.0.1', port, path: '/__admin/health', agent: false }, res => {
      res.resume()
      resolve(res.statusCode === 200)
    })
    req.on('error', () => resolve(false))
  })
}

interface Proc { child: ChildProcess, port: number, url: string }

async function start (args: string[], env: Record<string, string>, ready: (port: number) => Promise<boolean>): Promise<Proc & { startMs: number }> {
  const port = await freePort()
  const began = performance.now()
  // a clean environment: what is measured must not depend on the caller's NODE_OPTIONS or configuration variables
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] })
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited ${child.exitCode}`)
    if (await ready(port)) break
    await new Promise(resolve => setTimeout(resolve, 2))
  }
  return { child, port, url: `http://127.0.0.1:${port}`, startMs: performance.now() - began }
}

async function stop (proc: Proc): Promise<void> {
  if (proc.child.exitCode !== null) return
  const exited = new Promise(resolve => proc.child.once('exit', resolve))
  proc.child.kill('SIGTERM')
  await exited
}

/** CPU time (user + system) the process has used so far, in µs: /proc/<pid>/stat fields 14 and 15, in ticks. */
const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())
function cpuUs (pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
  // after the command name: field 3 is index 0, so utime (14) and stime (15) are indices 11 and 12
  return (Number(fields[11]) + Number(fields[12])) * TICK_US
}

function rssMb (pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024)
}

const baselineReady = async (port: number): Promise<boolean> => new Promise(resolve => {
  const req = get({ host: '127.0.0.1', port, path: '/', agent: false }, res => { res.resume(); resolve(true) })
  req.on('error', () => resolve(false))
})

function emulator (databasePath: string, seed?: string): Promise<Proc & { startMs: number }> {
  return start(SERVER_ARGS, { DATABASE_PATH: databasePath, LOG_LEVEL: 'warn', API_TOKENS: '', ...(seed ? { SEED_FILE: seed } : {}) }, healthy)
}

function refund (payment: number): string {
  return `{"payment":${payment},"amount":0.01,"reason":"duplicate","receipt":"R-${payment}"}`
}

interface Scenario { name: string, expect: number, load: (url: string) => Parameters<typeof autocannon>[0] }

const SCENARIOS: Scenario[] = [
  {
    name: '(a) 201, many payments',
    expect: 201,
    load: url => {
      let next = 0
      return {
        url: `${url}/refunds/`,
        method: 'POST',
        headers: HEADERS,
        requests: [{ setupRequest: req => ({ ...req, body: refund((next++ % PAYMENTS) + 1) }) }]
      }
    }
  },
  { name: '(b) 201, one hot payment', expect: 201, load: url => ({ url: `${url}/refunds/`, method: 'POST', headers: HEADERS, body: refund(HOT) }) },
  {
    name: '(c) 400 validation',
    expect: 400,
    load: url => ({ url: `${url}/refunds/`, method: 'POST', headers: HEADERS, body: '{"payment":1,"amount":"12.345","reason":"maybe","receipt":""}' })
  },
  {
    name: '(d) 401 no token',
    expect: 401,
    load: url => ({ url: `${url}/refunds/`, method: 'POST', headers: { ...HEADERS, authorization: '' }, body: refund(1) })
  }
]

/**
 * The CPU the emulator may spend on one 201, µs, on a machine where bare Fastify's 201 costs about 25 (the
 * baseline row says what it costs here): twice the baseline's work, no more. A 201 is a DRF-exact body read, a
 * committed write and the journal; what is above that is work the real job does not need.
 */
const CPU_BUDGET_201_US = 50

/** Whether the 201 rows (each emulator row of a scenario answering 201) stay within the budget: the worst of them. */
function cpuBudget (rows: readonly Row[]): { budgetUs: number, worstUs: number, holds: boolean } {
  const worstUs = Math.max(...rows.filter(r => r.target !== 'baseline' && SCENARIOS.find(s => s.name === r.scenario)?.expect === 201).map(r => r.cpuUs))
  return { budgetUs: CPU_BUDGET_201_US, worstUs, holds: worstUs <= CPU_BUDGET_201_US }
}

interface Row {
  scenario: string
  target: string
  rps: number
  p50: number
  p99: number
  max: number
  errors: number
  unexpected: number
  /** server CPU per request, µs: less sensitive than req/s to the load generator sharing the cores */
  cpuUs: number
  rssMb?: number
  ratio?: number
  /** the baseline's CPU per request over this row's: the req/s ratio a machine with a core to spare would see */
  cpuRatio?: number
}

async function measureOnce (scenario: Scenario, target: string, proc: Proc): Promise<Row> {
  const cpuBefore = cpuUs(proc.child.pid)
  const result: Result = await autocannon({ ...scenario.load(proc.url), connections: CONNECTIONS, duration: DURATION })
  const cpu = cpuUs(proc.child.pid) - cpuBefore
  const byStatus = result.statusCodeStats ?? {}
  // the baseline always answers 201: only the emulator's statuses are checked
  const wanted = target === 'baseline' ? 201 : scenario.expect
  const matching = byStatus[String(wanted)]?.count ?? 0
  return {
    scenario: scenario.name,
    target,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.timeouts,
    cpuUs: Math.round(10 * cpu / Math.max(1, result.requests.total)) / 10,
    unexpected: Object.values(byStatus).reduce((n: number, s: { count: number }) => n + s.count, 0) - matching
  }
}

/** Load that is not measured: the JIT compiles the hot paths of the servers (all at once) before the first real run. */
async function warmUp (...procs: Proc[]): Promise<void> {
  await Promise.all(procs.map(async proc => {
    for (const scenario of SCENARIOS) await autocannon({ ...scenario.load(proc.url), connections: CONNECTIONS, duration: quick ? 0.25 : 1 })
  }))
}

/** Rounds of the baseline and the emulator, alternating; req/s and latencies averaged, errors added up. */
async function compare (scenario: Scenario, base: Proc, emu: Proc, emuName = 'emulator'): Promise<[Row, Row]> {
  const runs: Array<[Row, Row]> = []
  for (let i = 0; i < ROUNDS; i++) runs.push([await measureOnce(scenario, 'baseline', base), await measureOnce(scenario, emuName, emu)])
  const merge = (rows: Row[]): Row => {
    const sum = (key: 'rps' | 'p50' | 'p99' | 'cpuUs' | 'errors' | 'unexpected'): number => rows.reduce((n, r) => n + r[key], 0)
    return {
      ...(rows[0] as Row),
      rps: Math.round(sum('rps') / rows.length),
      p50: Math.round(sum('p50') / rows.length),
      p99: Math.round(sum('p99') / rows.length),
      max: Math.max(...rows.map(r => r.max)),
      cpuUs: Math.round(10 * sum('cpuUs') / rows.length) / 10,
      errors: sum('errors'),
      unexpected: sum('unexpected')
    }
  }
  const b = merge(runs.map(r => r[0]))
  const e = merge(runs.map(r => r[1]))
  e.ratio = e.rps / b.rps
  e.cpuRatio = b.cpuUs / e.cpuUs
  b.rssMb = rssMb(base.child.pid)
  e.rssMb = rssMb(emu.child.pid)
  console.error(`${scenario.name}: baseline ${b.rps} req/s, ${emuName} ${e.rps} req/s (${e.ratio.toFixed(2)}), CPU ${b.cpuUs} vs ${e.cpuUs} µs/request (${e.cpuRatio.toFixed(2)})`)
  return [b, e]
}

function writeSeed (path: string): void {
  const payments = Array.from({ length: PAYMENTS }, (_, i) => ({ workspace: 'acc_bench', id: i + 1, amount: '9999999999.99' }))
  payments.push({ workspace: 'acc_bench', id: HOT, amount: '9999999999999.99' })
  writeFileSync(path, JSON.stringify({ payments }))
}

/** A database of 1,000,000 refunds: 900,000 spread over the 10,000 payments, 100,000 on the hot one. */
async function largeDatabase (path: string): Promise<void> {
  const db = openDatabase(path)
  migrate(db)
  const now = Date.now() * 1000
  const addPayment = db.prepare("INSERT INTO payments (workspace, test_mode, id, amount, refund_outcome, created_us) VALUES ('acc_bench', 0, ?, ?, 'succeeded', ?)")
  const addRefund = db.prepare(`INSERT INTO refunds (id, payment_pk, amount, balance, reason, note, receipt, status, metadata, created_us, updated_us)
    VALUES (?, ?, 1, ?, 'duplicate', NULL, 'R', 'succeeded', '{}', ?, ?)`)
  db.transaction(() => {
    for (let i = 1; i <= PAYMENTS; i++) addPayment.run(i, 999999999999, now)
    addPayment.run(HOT, 999999999999999, now)
    for (let n = 0; n < 1_000_000; n++) {
      const pk = n < 900_000 ? (n % PAYMENTS) + 1 : PAYMENTS + 1
      const t = now + n
      addRefund.run(refundId(t), pk, 999999999999 - 1, t, t)
    }
  })()
  db.close()
}

async function coldStarts (databasePath: string, seed?: string): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < COLD_STARTS; i++) {
    const proc = await emulator(databasePath, seed)
    times.push(proc.startMs)
    await stop(proc)
  }
  times.sort((a, b) => a - b)
  return Math.round(times[Math.floor(times.length / 2)] as number)
}

function table (rows: Row[]): string {
  const head = ['scenario', 'target', 'req/s', 'ratio', 'CPU µs/req', 'CPU ratio', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'unexpected', 'RSS MB']
  const lines = rows.map(r => [r.scenario, r.target, String(r.rps), r.ratio === undefined ? '' : r.ratio.toFixed(2), String(r.cpuUs),
    r.cpuRatio === undefined ? '' : r.cpuRatio.toFixed(2), String(r.p50), String(r.p99),
    String(r.max), String(r.errors), String(r.unexpected), r.rssMb === undefined ? '' : String(r.rssMb)])
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map(l => (l[i] as string).length)))
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`
  return [fmt(head), `|${widths.map(w => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n')
}

async function main (): Promise<void> {
  const seed = join(work, 'seed.json')
  writeSeed(seed)
  const rows: Row[] = []
  const started = await Promise.allSettled([emulator(join(work, 'bench.sqlite'), seed), start(['--import', 'tsx', BASELINE], {}, baselineReady)])
  const failed = started.find(s => s.status === 'rejected')
  if (failed !== undefined) {
    for (const s of started) if (s.status === 'fulfilled') await stop(s.value)
    throw failed.reason
  }
  const [emu, base] = started.map(s => (s as PromiseFulfilledResult<Proc>).value) as [Proc, Proc]
  try {
    await warmUp(base, emu)
    for (const scenario of SCENARIOS) rows.push(...await compare(scenario, base, emu))
    // the same server, two more rounds of (a): RSS must not keep growing
    const leak: number[] = [rows[1]?.rssMb as number]
    for (let i = 0; i < 2; i++) {
      await measureOnce(SCENARIOS[0] as Scenario, 'emulator', emu)
      leak.push(rssMb(emu.child.pid))
    }
    console.error(`RSS after three rounds of (a): ${leak.join(', ')} MB`)

    const largeRows: Row[] = []
    let largeCold: number | undefined
    if (large) {
      const path = join(work, 'large.sqlite')
      const began = performance.now()
      await largeDatabase(path)
      console.error(`built a 1,000,000-refund database in ${Math.round(performance.now() - began)} ms`)
      const big = await emulator(path)
      try {
        await warmUp(big)
        for (const scenario of SCENARIOS.slice(0, 2)) largeRows.push(...await compare(scenario, base, big, 'emulator, 1M refunds'))
      } finally {
        await stop(big)
      }
      largeCold = await coldStarts(path)
    }
    const emptyDb = join(work, 'cold.sqlite')
    const coldEmpty = await coldStarts(emptyDb)
    rows.push(...largeRows)

    const summary = {
      when: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
      settings: { durationSeconds: DURATION, connections: CONNECTIONS, rounds: ROUNDS, quick },
      rows,
      rssAfterThreeRoundsMb: leak,
      cpuBudget201: cpuBudget(rows),
      coldStartMs: { empty: coldEmpty, ...(largeCold !== undefined ? { millionRefunds: largeCold } : {}) }
    }
    console.log(table(rows))
    console.log(`\ncold start to healthy (median of ${COLD_STARTS}): empty database ${coldEmpty} ms` +
      (largeCold !== undefined ? `, 1,000,000 refunds ${largeCold} ms` : ''))
    console.log(`RSS after three rounds of (a): ${leak.join(' → ')} MB`)
    const budget = summary.cpuBudget201
    console.log(`CPU per 201 (budget ≤ ${budget.budgetUs} µs): worst row ${budget.worstUs} µs — ${budget.holds ? 'holds' : 'does NOT hold'}`)
    mkdirSync(dirname(OUT), { recursive: true })
    writeFileSync(OUT, JSON.stringify(summary, null, 2) + '\n')
    console.log(`\nwritten to ${OUT}`)
  } finally {
    await stop(emu)
    await stop(base)
    rmSync(work, { recursive: true, force: true })
  }
}

await main()
