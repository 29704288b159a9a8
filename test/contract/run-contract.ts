// npm run contract: checks the emulator's answers against the published spec with tools we did not write.
//
//   1. Prism (Stoplight) in proxy mode with --errors, in front of the emulator. Spec-valid requests are
//      forwarded and every answer is validated against the spec: a violation (Prism's `sl-violations` header or
//      its own error answer) fails the run, unless it is a spec gap listed in SPEC_GAPS below. Spec-invalid
//      requests are refused by Prism itself; the same request sent straight to the emulator must then get the
//      answer DRF gives (usually a 400; the cases say where DRF is more lenient than the spec).
//   2. portman generates contract tests and variation tests (including its fuzzing variations) from the spec;
//      newman runs them against the emulator.
//
// Before either is trusted it is pointed at a deliberately wrong server and must fail there: a check that
// cannot fail proves nothing.
//
// The tools are pinned by test/contract/tools/package-lock.json and installed on first use into
// .cache/contract-tools with --ignore-scripts (Prism's telemetry dependency phones home from an install script;
// Prism declares Node >= 24 but works on 20). They stay out of the main devDependencies: they are heavy and
// `npm test` does not need them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startPiriodMock } from '../../src/index.js'
import { freePort } from '../process.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const HERE = fileURLToPath(new URL('./', import.meta.url))
const SPEC = join(ROOT, 'test/spec/piriod-refunds.openapi.yaml')
const TOOLS = join(ROOT, '.cache/contract-tools')
const WORK = join(ROOT, '.cache/contract-run')
const bin = (name: string): string => join(TOOLS, 'node_modules/.bin', name)

const TOKEN = 'tok_contract_check'
const WORKSPACE = 'acc_contract'
const BOUND_TOKEN = 'tok_contract_bound'

/** Answers the spec does not document, although DRF (and so the emulator) gives them. Prism reports each as a
 * warning ("Unable to match the returned status code"); they are spec gaps, not emulator bugs. */
const SPEC_GAPS: Record<number, string> = {
  401: 'authentication failures (DRF TokenAuthentication, WWW-Authenticate: Token) are not in the spec',
  403: 'a token used with a workspace it is not bound to (API_TOKENS=tok=acc_1) is not in the spec'
}

interface Answer { status: number, headers: Headers, body: string }
interface Case {
  name: string
  /** headers over the defaults; null removes one */
  headers?: Record<string, string | null>
  body: unknown
  method?: string
  /** what the emulator answers (through Prism, or directly when Prism refuses the request) */
  status: number
  /** a substring the emulator's body must contain */
  contains?: string
  /** the request violates the spec: Prism must refuse it with this status and not forward it */
  prismRefuses?: number
  /** why the emulator's answer differs from the spec's demand, for the report */
  note?: string
}

const valid = (fields: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ payment: 2, amount: 1, reason: 'requested_by_customer', receipt: 'R-contract', ...fields })

const CASES: Case[] = [
  // spec-valid requests: forwarded, and the answer must match the spec
  { name: 'refund with every field', body: valid({ note: 'partial', metadata: { order: 'A-1', lines: [1, 2] } }), status: 201, contains: '"balance":99' },
  { name: 'refund with required fields only', body: valid(), status: 201, contains: '"status":"succeeded"' },
  { name: 'null note', body: valid({ note: null }), status: 201, contains: '"note":null' },
  { name: 'test-mode refund', headers: { 'x-piriod-test-mode': 'true' }, body: valid(), status: 201, contains: '"balance":49' },
  { name: 'a refund the payment processor declines', body: valid({ payment: 4 }), status: 201, contains: '"status":"failed"' },
  { name: '0.1 + 0.2 of 0.30 leaves exactly 0', body: valid({ payment: 3, amount: 0.1 }), status: 201, contains: '"balance":0.2' },
  { name: '... the second part', body: valid({ payment: 3, amount: 0.2 }), status: 201, contains: '"balance":0' },
  { name: 'over-refund', body: valid({ amount: 1000 }), status: 400, contains: 'remaining refundable balance' },
  { name: 'unknown payment', body: valid({ payment: 999 }), status: 400, contains: '"payment":["Invalid pk' },
  { name: 'live payment from test mode', headers: { 'x-piriod-test-mode': 'true' }, body: valid({ payment: 4 }), status: 400, contains: 'object does not exist' },
  { name: 'three decimal places', body: valid({ amount: 1.234 }), status: 400, contains: 'decimal places' },
  { name: 'zero amount', body: valid({ amount: 0 }), status: 400, contains: '"amount"' },
  { name: 'negative amount', body: valid({ amount: -5 }), status: 400, contains: '"amount"' },
  { name: 'amount 1e308', body: valid({ amount: 1e308 }), status: 400, contains: '"amount"' },
  { name: 'payment id beyond 2^53', body: valid({ payment: 2 ** 60 }), status: 400, contains: '"payment"' },
  { name: 'blank receipt', body: valid({ receipt: '' }), status: 400, contains: 'may not be blank' },
  { name: 'NUL in note', body: valid({ note: 'a\u0000b' }), status: 400, contains: 'Null characters are not allowed.' },
  { name: 'wrong token', headers: { authorization: 'Token tok_not_known' }, body: valid(), status: 401, contains: 'Invalid token.' },
  { name: 'live-looking token', headers: { authorization: 'Token sk_live_0123456789abcdef' }, body: valid(), status: 401, contains: 'live' },
  { name: 'token bound to another workspace', headers: { authorization: `Token ${BOUND_TOKEN}` }, body: valid(), status: 403, contains: 'You do not have permission' },

  // spec-invalid requests: Prism refuses them; the emulator answers what DRF would
  { name: 'no Authorization header', headers: { authorization: null }, body: valid(), prismRefuses: 401, status: 401, contains: 'Authentication credentials were not provided.' },
  { name: 'no workspace header', headers: { 'x-simple-workspace': null }, body: valid(), prismRefuses: 422, status: 400, contains: 'x-simple-workspace header is required.' },
  { name: 'empty workspace header', headers: { 'x-simple-workspace': '' }, body: valid(), prismRefuses: 422, status: 400, contains: 'x-simple-workspace header is required.' },
  { name: 'test-mode header "maybe"', headers: { 'x-piriod-test-mode': 'maybe' }, body: valid(), prismRefuses: 422, status: 400, contains: 'non_field_errors' },
  { name: 'test-mode header "yes"', headers: { 'x-piriod-test-mode': 'yes' }, body: valid(), prismRefuses: 422, status: 201, contains: '"balance":48', note: 'DRF\'s BooleanField also takes yes/on/1; the spec says boolean' },
  { name: 'missing receipt', body: { payment: 2, amount: 1, reason: 'duplicate' }, prismRefuses: 422, status: 400, contains: '"receipt":["This field is required."]' },
  { name: 'unknown reason', body: valid({ reason: 'other' }), prismRefuses: 422, status: 400, contains: 'is not a valid choice.' },
  { name: 'note over 64 characters', body: valid({ note: 'n'.repeat(65) }), prismRefuses: 422, status: 400, contains: 'no more than 64 characters' },
  { name: 'receipt over 256 characters', body: valid({ receipt: 'r'.repeat(257) }), prismRefuses: 422, status: 400, contains: 'no more than 256 characters' },
  { name: 'metadata not an object', body: valid({ metadata: [1] }), prismRefuses: 422, status: 400, contains: '"metadata"' },
  { name: 'a list instead of an object', body: [valid()], prismRefuses: 422, status: 400, contains: 'Expected a dictionary, but got list.' },
  { name: 'amount as a string', body: valid({ amount: '1.00' }), prismRefuses: 422, status: 201, note: "DRF's DecimalField accepts numeric strings; the spec says number" },
  { name: 'payment id as a string', body: valid({ payment: '2' }), prismRefuses: 422, status: 201, note: "DRF's PrimaryKeyRelatedField accepts numeric strings; the spec says integer" },
  { name: 'text/plain body', headers: { 'content-type': 'text/plain' }, body: valid(), prismRefuses: 422, status: 415, contains: 'Unsupported media type' },
  { name: 'PUT', method: 'PUT', body: valid(), prismRefuses: 405, status: 405, contains: 'Method \\"PUT\\" not allowed.' }
]

const failures: string[] = []
const fail = (msg: string): void => { failures.push(msg); console.log(`  ✗ ${msg}`) }
const pass = (msg: string): void => { console.log(`  ✓ ${msg}`) }

function installTools (): void {
  const lock = readFileSync(join(HERE, 'tools/package-lock.json'))
  const stamp = join(TOOLS, 'node_modules/.piriod-mock-lock')
  if (existsSync(stamp) && readFileSync(stamp).equals(lock)) return
  console.log('installing the contract tools (pinned, --ignore-scripts) into .cache/contract-tools …')
  mkdirSync(TOOLS, { recursive: true })
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(HERE, 'tools', file), join(TOOLS, file))
  const npm = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: TOOLS, stdio: 'inherit' })
  if (npm.status !== 0) throw new Error(`npm ci of the contract tools failed (exit ${String(npm.status)})`)
  writeFileSync(stamp, lock)
}

/** A server that answers every request with a 201 whose body breaks the Refund schema in several ways. */
async function wrongServer (): Promise<{ url: string, server: Server }> {
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ id: 1, payment: 'two', amount: '1.00', reason: 'other', receipt: 'r', status: 'pending' }))
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}

async function startPrism (upstream: string): Promise<{ url: string, child: ChildProcess, log: () => string }> {
  const port = await freePort()
  const child = spawn(bin('prism'), ['proxy', '--errors', '-h', '127.0.0.1', '-p', String(port), SPEC, upstream],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } })
  let output = ''
  const collect = (chunk: Buffer): void => { output = (output + chunk.toString()).slice(-200_000) }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  const deadline = Date.now() + 60_000
  while (!output.includes('Prism is listening')) {
    if (child.exitCode !== null) throw new Error(`Prism exited (${child.exitCode}) before listening:\n${output}`)
    if (Date.now() > deadline) throw new Error(`Prism did not start within 60 s:\n${output}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  return { url: `http://127.0.0.1:${port}`, child, log: () => output }
}

async function send (base: string, c: Case): Promise<Answer> {
  const merged: Record<string, string | null> = {
    authorization: `Token ${TOKEN}`,
    'content-type': 'application/json',
    'x-simple-workspace': WORKSPACE,
    ...c.headers
  }
  const headers = Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== null))
  const res = await fetch(`${base}/refunds/`, { method: c.method ?? 'POST', headers, body: JSON.stringify(c.body) })
  return { status: res.status, headers: res.headers, body: await res.text() }
}

interface Violation { severity: string, message: string, location?: string[] }
function violations (a: Answer): Violation[] {
  const raw = a.headers.get('sl-violations')
  return raw === null ? [] : JSON.parse(raw) as Violation[]
}
const isPrismAnswer = (a: Answer): boolean =>
  (a.headers.get('content-type') ?? '').startsWith('application/problem+json') && a.body.includes('stoplight.io/prism')

function judgeEmulator (c: Case, a: Answer, via: string): boolean {
  if (a.status !== c.status) { fail(`${c.name}: ${via} answered ${a.status}, expected ${c.status}: ${a.body.slice(0, 300)}`); return false }
  if (c.contains !== undefined && !a.body.includes(c.contains)) { fail(`${c.name}: body lacks ${c.contains}: ${a.body.slice(0, 300)}`); return false }
  if (!(a.headers.get('content-type') ?? '').startsWith('application/json')) { fail(`${c.name}: content-type ${String(a.headers.get('content-type'))}`); return false }
  return true
}

async function prismChecks (prism: string, emulator: string): Promise<Map<string, number>> {
  console.log(`\nPrism proxy (--errors) in front of the emulator: ${CASES.length} requests`)
  const gaps = new Map<string, number>()
  for (const c of CASES) {
    const a = await send(prism, c)
    const found = violations(a)
    if (c.prismRefuses !== undefined) {
      if (a.status !== c.prismRefuses || !isPrismAnswer(a)) { fail(`${c.name}: Prism should refuse it with ${c.prismRefuses}, got ${a.status} ${a.body.slice(0, 300)}`); continue }
      const direct = await send(emulator, c)
      if (judgeEmulator(c, direct, 'the emulator')) pass(`${c.name}: Prism refuses (${a.status}); the emulator answers ${direct.status}${c.note !== undefined ? ` — ${c.note}` : ''}`)
      continue
    }
    if (isPrismAnswer(a)) { fail(`${c.name}: Prism answered itself (${a.status}): ${a.body.slice(0, 400)}`); continue }
    const unexpected = found.filter(v => !(SPEC_GAPS[a.status] !== undefined && v.severity === 'Warning' && /Unable to match the returned status code/.test(v.message)))
    if (unexpected.length > 0) { fail(`${c.name}: spec violations ${JSON.stringify(unexpected)}`); continue }
    if (!judgeEmulator(c, a, 'Prism')) continue
    if (found.length > 0) gaps.set(c.name, a.status)
    pass(`${c.name}: ${a.status}${found.length > 0 ? ` (spec gap: ${SPEC_GAPS[a.status] ?? ''})` : ', matches the spec'}`)
  }
  return gaps
}

/** Prism must flag a wrong answer, or its silence about ours means nothing. */
async function prismCanary (prism: string): Promise<void> {
  const a = await send(prism, { name: 'canary', body: valid(), status: 201 })
  const flagged = a.status === 500 && isPrismAnswer(a) && a.body.includes('VIOLATIONS')
  if (flagged) pass(`canary: Prism rejects a wrong server's answer (${a.status}, ${JSON.parse(a.body).validation?.length ?? '?'} violations)`)
  else fail(`canary: Prism let a wrong answer through: ${a.status} ${a.body.slice(0, 300)}`)
}

function generateCollection (baseUrl: string): string {
  mkdirSync(WORK, { recursive: true })
  const out = join(WORK, 'collection.json')
  const portman = spawnSync(bin('portman'), ['-l', SPEC, '-b', baseUrl, '-c', join(HERE, 'portman-config.json'), '-o', out],
    { cwd: WORK, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  if (portman.status !== 0 || !existsSync(out)) throw new Error(`portman failed (exit ${String(portman.status)}):\n${portman.stdout}\n${portman.stderr}`)
  return out
}

interface NewmanStats { requests: number, assertions: number, failed: number, failures: string[] }
/** Runs newman in a child process, asynchronously: the servers it calls live in this process. */
async function newman (collection: string, baseUrl: string, quiet: boolean): Promise<NewmanStats> {
  const report = join(WORK, 'newman.json')
  rmSync(report, { force: true })
  const child = spawn(bin('newman'), ['run', collection, '--env-var', `baseUrl=${baseUrl}`, '--reporters', quiet ? 'json' : 'cli,json',
    '--reporter-json-export', report, '--color', 'off', '--disable-unicode', '--timeout-request', '10000'],
  { cwd: WORK, stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'] })
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  if (!existsSync(report)) throw new Error(`newman wrote no report (exit ${String(code)})`)
  const { run } = JSON.parse(readFileSync(report, 'utf8')) as {
    run: { stats: { requests: { total: number }, assertions: { total: number, failed: number } }, failures: Array<{ error: { message: string }, source?: { name?: string } }> }
  }
  return {
    requests: run.stats.requests.total,
    assertions: run.stats.assertions.total,
    // a non-zero exit with no failed assertion (a request error, a script error) is a failure all the same
    failed: run.stats.assertions.failed + (code !== 0 && run.stats.assertions.failed === 0 ? 1 : 0),
    failures: run.failures.map(f => `${f.source?.name ?? '?'}: ${f.error.message}`)
  }
}

async function main (): Promise<void> {
  const started = Date.now()
  installTools()

  const mock = await startPiriodMock({ apiTokens: [TOKEN, `${BOUND_TOKEN}=acc_other`], logLevel: 'silent' })
  await mock.createPayment({ workspace: WORKSPACE, id: 1, amount: '1000000.00' })
  await mock.createPayment({ workspace: WORKSPACE, id: 2, amount: 100 })
  await mock.createPayment({ workspace: WORKSPACE, id: 3, amount: '0.30' })
  await mock.createPayment({ workspace: WORKSPACE, id: 4, amount: 100, refundOutcome: 'failed' })
  await mock.createPayment({ workspace: WORKSPACE, testMode: true, id: 2, amount: 50 })
  const wrong = await wrongServer()
  const [prism, prismOnWrong] = await Promise.all([startPrism(mock.url), startPrism(wrong.url)])
  let gaps = new Map<string, number>()
  try {
    console.log('\nCanaries: each check must fail against a server that breaks the spec')
    await prismCanary(prismOnWrong.url)
    gaps = await prismChecks(prism.url, mock.url)

    console.log('\nportman: contract and variation tests generated from the spec, run by newman')
    const collection = generateCollection(mock.url)
    const onWrong = await newman(collection, wrong.url, true)
    if (onWrong.failed > 0) pass(`canary: the generated tests fail against the wrong server (${onWrong.failed} of ${onWrong.assertions} assertions)`)
    else fail('canary: the generated tests pass against a server that breaks the spec')
    const result = await newman(collection, mock.url, false)
    if (result.failed === 0 && result.assertions > 0) pass(`newman: ${result.requests} requests, ${result.assertions} assertions, none failed`)
    else fail(`newman: ${result.failed} of ${result.assertions} assertions failed:\n    ${result.failures.join('\n    ')}`)
  } finally {
    prism.child.kill()
    prismOnWrong.child.kill()
    wrong.server.close()
    await mock.close()
  }

  console.log(`\nSpec gaps (the emulator answers as DRF does; the spec does not document it): ${gaps.size}`)
  for (const [name, status] of gaps) console.log(`  - ${name}: ${status}, ${SPEC_GAPS[status] ?? ''}`)
  console.log(`\ncontract: ${failures.length === 0 ? 'passed' : `${failures.length} failed`} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  if (failures.length > 0) process.exitCode = 1
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  process.exitCode = 1
})
