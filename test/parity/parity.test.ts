// `piriod-mock parity` against targets that are real listening servers: another emulator (which must agree with it
// probe for probe), proxies that change one thing in front of it (which must be named), servers that answer
// nothing or accept what they should refuse, and recorded sets (record, replay, the committed one made against the
// DRF oracle). The tests against the DRF oracle itself are in oracle.test.ts.
import t, { type Test } from 'tap'
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startPiriodMock, type PiriodMock } from '../../src/index.js'
import { parityCommand, PARITY_USAGE } from '../../src/parity/command.js'
import { differences, type Answer } from '../../src/parity/compare.js'
import { baseOf, MAX_ANSWER_BYTES, send } from '../../src/parity/http.js'
import { safeProbes, UNCOVERABLE } from '../../src/parity/probes.js'
import { parityEmulator } from '../../src/process.js'
import { run } from '../process.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const RECORDED = join(ROOT, 'test/parity/drf-oracle')
const TOKEN = 'tok_parity_target_1234'
const WS = 'acc_parity'

interface Result { code: number, out: string, err: string }

/** The exit status, with what the run printed when it is not the one expected. */
function exits (t: Test, r: Result, code: number): void {
  if (!t.equal(r.code, code, `exit ${code}`)) t.comment(r.out + r.err)
}

async function parity (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  let out = ''
  let err = ''
  const io = { stdout: { write: (s: string) => { out += s } }, stderr: { write: (s: string) => { err += s } }, env }
  const code = await parityCommand(args, io, parityEmulator, '0.0.0-test')
  return { code, out, err }
}

const target = async (t: Test, opts: { journalSize?: number } = {}): Promise<PiriodMock> => {
  const mock = await startPiriodMock({ apiTokens: TOKEN, ...opts })
  t.teardown(() => mock.close())
  return mock
}

const live = (url: string, ...more: string[]): string[] => ['--target', url, '--token', TOKEN, '--workspace', WS, ...more]

/** A server in front of `upstream` (path prefix `strip` removed), its answers passed through `change`. */
async function proxy (t: Test, upstream: string, change: (body: Buffer, req: IncomingMessage) => Buffer | string, strip = ''): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL((req.url ?? '/').slice(strip.length) || '/', upstream)
      const up = request(url, { method: req.method, headers: { ...req.headers, host: url.host } }, upRes => {
        const parts: Buffer[] = []
        upRes.on('data', (c: Buffer) => parts.push(c))
        upRes.on('end', () => {
          const body = Buffer.from(change(Buffer.concat(parts), req))
          const headers = { ...upRes.headers, 'content-length': String(body.length) }
          if (typeof headers.location === 'string' && strip !== '') headers.location = strip + headers.location
          res.writeHead(upRes.statusCode ?? 500, headers).end(body)
        })
      })
      up.end(Buffer.concat(chunks))
    })
  })
  return await listen(t, server)
}

async function listen (t: Test, server: Server): Promise<string> {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()) }))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const tmp = (t: Test): string => {
  const dir = mkdtempSync(join(tmpdir(), 'piriod-parity-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

interface JsonReport { probes: Array<{ name: string, agree: boolean, differences: Array<{ what: string }>, target: { status: number } }>, agree: number, differ: number, notes: string[], not_recorded: string[] }

t.test('another emulator as the target: every probe agrees, at least 40 of them, and nothing is created', async t => {
  const mock = await target(t)
  await mock.createPayment({ id: 7, amount: '25.00', workspace: WS })
  const r = await parity(live(mock.url, '--payment', '7'))
  exits(t, r, 0)
  t.match(r.out, /^piriod-mock parity: http:\/\/127\.0\.0\.1:\d+\/ \(workspace acc_parity, live mode, payment 7, token Token …1234\) against the emulator/)
  t.match(r.out, /\n(\d+) probes: \1 agree, 0 differ\n$/)
  const count = Number(/\n(\d+) probes:/.exec(r.out)?.[1])
  t.ok(count >= 40, `${count} probes`)
  t.notOk(r.out.includes(TOKEN), 'the token is never printed')
  const payment = await mock.payment(7, { workspace: WS })
  t.equal(payment?.refunds.length, 0, 'no refund made without --writes')
  const answered = (await mock.requests({ limit: 1000 })).map(e => e.response?.status ?? 0)
  t.equal(answered.length, count, 'one request per probe, all to the target')
  t.notOk(answered.some(s => s >= 200 && s < 300 && s !== 200), 'nothing but OPTIONS succeeded')
})

t.test('the safe probes are rejected whatever the account holds: a payment covering any amount does not make one valid', async t => {
  const mock = await target(t)
  await mock.createPayment({ id: 7, amount: UNCOVERABLE, workspace: WS })
  const probes = safeProbes({ token: TOKEN, workspace: WS, testMode: false, payment: 7 })
  for (const probe of probes.filter(p => p.name !== 'over-refund')) {
    const answer = await send(baseOf(mock.url), probe, 5000)
    t.ok(answer.status >= 300 || probe.method === 'OPTIONS', `${probe.name}: ${answer.status}`)
  }
  t.equal((await mock.payment(7, { workspace: WS }))?.refunds.length, 0)
  // the over-refund of exactly UNCOVERABLE is the one probe such a payment covers: the run stops there, saying so
  const r = await parity(live(mock.url, '--payment', '7'))
  t.equal(r.code, 2)
  t.match(r.err, /the target ACCEPTED probe over-refund \(201\), which it should have refused: it may have made a refund of 9999999999999\.99 or less; stopped here/)
  t.equal((await mock.requests({ limit: 1000 })).filter(e => e.response?.status === 201).length, 1, 'and it sent nothing after it')
})

t.test('a proxy that rewords one DRF message: exit 1, that probe named with both answers and where they differ', async t => {
  const mock = await target(t)
  const url = await proxy(t, mock.url, body => body.toString().replace('Invalid token.', 'Token is invalid.'))
  const r = await parity(live(url))
  exits(t, r, 1)
  t.match(r.out, /auth-unknown-token +401 +401 +NO\n/)
  t.match(r.out, /✗ auth-unknown-token: a key no account has\n {2}request: POST refunds\/ \{"authorization":"Token …oken"/)
  t.match(r.out, /target: {3}\{"detail":"Token is invalid\."\}\n {4}emulator: \{"detail":"Invalid token\."\}/)
  t.match(r.out, /first difference at character 11:/)
  t.match(r.out, /, 1 differ\n$/)
  const json = JSON.parse((await parity(live(url, '--json'))).out) as JsonReport
  t.strictSame(json.probes.filter(p => !p.agree).map(p => p.name), ['auth-unknown-token'])
  t.equal(json.differ, 1)
  t.equal(json.agree, json.probes.length - 1)
})

t.test('status, headers and the shape of volatile values are compared too', async t => {
  const mock = await target(t)
  await mock.createPayment({ id: 7, amount: '1.00', workspace: WS, testMode: true })
  // a target whose refunds have other ids and another datetime format in `updated`, and no Allow on 405s
  const url = await proxy(t, mock.url, body => body.toString()
    .replace(/"id":"ref_[0-9a-z]+"/, '"id":"re-1"')
    .replace(/"updated":"([^"T]+)T([^".]+)\.\d+Z"/, '"updated":"$1 $2"'))
  const server = createServer((req, res) => {
    const up = request(new URL(req.url ?? '/', url), { method: req.method, headers: req.headers }, upRes => {
      const headers = { ...upRes.headers }
      if (upRes.statusCode === 405) delete headers.allow
      if (req.headers.authorization === undefined) headers['www-authenticate'] = 'Bearer'
      res.writeHead(upRes.statusCode === 406 ? 400 : upRes.statusCode ?? 500, headers)
      upRes.pipe(res)
    })
    req.pipe(up)
  })
  const changed = await listen(t, server)
  const r = await parity(live(changed, '--test-mode', '--payment', '7', '--writes', '--json'))
  exits(t, r, 1)
  const report = JSON.parse(r.out) as { probes: Array<{ name: string, differences: Array<{ what: string, target: string, emulator: string }> }> }
  const by = (name: string) => report.probes.find(p => p.name === name)?.differences ?? []
  t.strictSame(by('method-put').map(d => [d.what, d.target, d.emulator]), [['allow', '(absent)', 'POST, OPTIONS']])
  t.strictSame(by('auth-missing').map(d => [d.what, d.target]), [['www-authenticate', 'Bearer']])
  t.strictSame(by('accept-xml').map(d => d.what), ['status'])
  // the table says the same: each difference on a line of its own
  const text = await parity(live(changed, '--test-mode', '--payment', '7'))
  t.match(text.out, /\n✗ method-put: PUT \/refunds\/: 405 with Allow\n {2}request: PUT refunds\/ \{"authorization":"Token …1234",[^\n]*\}\n {2}allow: target \(absent\) \| emulator POST, OPTIONS\n/)
  t.match(text.out, /\n {2}www-authenticate: target Bearer \| emulator Token\n/)
  const shapes = by('refund-1')
  t.equal(shapes.length, 2, 'the masked bodies agree: only the shapes differ')
  t.match(shapes[0], { what: 'body shape', target: /^id "re-1" is not a refund id \(ref_…\)$/, emulator: '(as expected)' })
  t.match(shapes[1], { what: 'body shape', target: /^updated "\d{4}-\d\d-\d\d \d\d:\d\d:\d\d" is not DRF's datetime format/ })
})

t.test('--writes: at most three refunds of 0.01 on the payment, then the exact over-refund; the 201s agree', async t => {
  const mock = await target(t)
  await mock.createPayment({ id: 12, amount: '5.00', workspace: WS, testMode: true })
  await mock.createPayment({ id: 12, amount: '5.00', workspace: WS }) // live data: never touched
  const r = await parity(live(mock.url, '--test-mode', '--payment', '12', '--writes'))
  exits(t, r, 0)
  t.match(r.out, /refund-1 +201 +201 +yes\nrefund-2 +201 +201 +yes\nrefund-3 +201 +201 +yes\nover-refund-exact +400 +400 +yes\n/)
  const payment = await mock.payment(12, { workspace: WS, testMode: true })
  t.strictSame(payment?.refunds.map(r => r.amount), [0.01, 0.01, 0.01])
  t.equal(payment?.balance, 4.97)
  t.equal((await mock.payment(12, { workspace: WS }))?.refunds.length, 0, 'live data untouched')
  const over = (await mock.requests({ limit: 1 }))[0]
  t.match(over?.request.body, { amount: '4.98' }, 'the remaining balance plus 0.01')
  t.match(over?.response?.body, { amount: [/remaining refundable balance of 4\.97\.$/] })
})

t.test('--writes on small and failing payments: as many 0.01 refunds as the balance holds; failed refunds consume nothing', async t => {
  const mock = await target(t)
  await mock.createPayment({ id: 1, amount: '0.02', workspace: WS, testMode: true })
  await mock.createPayment({ id: 2, amount: '0.01', workspace: WS, testMode: true })
  await parity(live(mock.url, '--test-mode', '--payment', '2', '--writes')) // now at 0.00
  await mock.createPayment({ id: 3, amount: '3.00', workspace: WS, testMode: true, refundOutcome: 'failed' })
  const two = await parity(live(mock.url, '--test-mode', '--payment', '1', '--writes'))
  exits(t, two, 0)
  t.notMatch(two.out, /refund-3/)
  t.strictSame((await mock.payment(1, { workspace: WS, testMode: true }))?.refunds.length, 2)
  const none = await parity(live(mock.url, '--test-mode', '--payment', '2', '--writes'))
  exits(t, none, 0)
  t.match(none.out, /over-refund +400 +400 +yes/)
  t.notMatch(none.out, /refund-1/)
  t.match(none.out, /over-refund-exact +400 +400 +yes/)
  const failed = await parity(live(mock.url, '--test-mode', '--payment', '3', '--writes'))
  exits(t, failed, 0)
  const p3 = await mock.payment(3, { workspace: WS, testMode: true })
  t.strictSame(p3?.refunds.map(r => r.status), ['failed', 'failed', 'failed'])
  t.equal(p3?.balance, 3)
})

t.test('--writes where the payment is not there, or the answers do not say the balance: no refund is made', async t => {
  const mock = await target(t)
  const missing = await parity(live(mock.url, '--test-mode', '--payment', '99', '--writes'))
  exits(t, missing, 0)
  t.match(missing.out, /note: payment 99 is not in the target's partition \(workspace acc_parity, test mode true\): the emulator is given none/)
  t.match(missing.out, /note: --writes: no balance known for the payment, so no refund was made/)
  t.equal((await mock.requests({ limit: 1000 })).filter(e => e.response?.status === 201).length, 0)
  // a target that words the over-refund another way: its balance is not known, so no refund is made
  await mock.createPayment({ id: 5, amount: '9.00', workspace: WS, testMode: true })
  const reworded = await proxy(t, mock.url, body => body.toString().replace(/remaining refundable balance of [\d.]+\./, 'balance.'))
  const unnamed = await parity(live(reworded, '--test-mode', '--payment', '5', '--writes'))
  t.equal(unnamed.code, 1)
  t.match(unnamed.out, /over-refund +400 +400 +NO/)
  t.match(unnamed.out, /note: the over-refund answer names no balance: the emulator's payment 5 holds 100\.00/)
  t.match(unnamed.out, /note: --writes: no balance known for the payment, so no refund was made/)
  t.equal((await mock.payment(5, { workspace: WS, testMode: true }))?.refunds.length, 0)
  // a target whose refunds answer with no balance (no JSON at all): one refund, then no more
  const noBalance = await proxy(t, mock.url, body => body.toString().startsWith('{"id":"ref_') ? 'created' : body)
  const stopped = await parity(live(noBalance, '--test-mode', '--payment', '5', '--writes'))
  t.equal(stopped.code, 1)
  t.match(stopped.out, /refund-1 +201 +201 +NO\nover-refund-exact/)
  t.match(stopped.out, /note: --writes: refund 1 answered 201 with no balance: no further refunds/)
  t.equal((await mock.payment(5, { workspace: WS, testMode: true }))?.refunds.length, 1, 'one refund, then it stopped')
})

t.test('--record then --replay: the same verdict with no target and no token; a changed recording is named', async t => {
  const mock = await target(t)
  await mock.createPayment({ id: 7, amount: '2.00', workspace: WS, testMode: true })
  const dir = tmp(t)
  const recorded = await parity(live(mock.url, '--test-mode', '--payment', '7', '--writes', '--record', dir))
  exits(t, recorded, 0)
  const files = readdirSync(dir)
  t.ok(files.includes('parity.json') && files.includes('auth-missing.json') && files.includes('refund-3.json'), files.join(' '))
  for (const f of files) t.notOk(readFileSync(join(dir, f), 'utf8').includes(TOKEN), `${f} holds no token`)
  const manifest = JSON.parse(readFileSync(join(dir, 'parity.json'), 'utf8')) as Record<string, unknown>
  t.match(manifest, { format: 1, recorded_with: 'piriod-mock 0.0.0-test', workspace: WS, test_mode: true, payment: 7, writes: true })
  const replayed = await parity(['--replay', dir])
  exits(t, replayed, 0)
  t.equal(/\n(\d+) probes:/.exec(replayed.out)?.[1], /\n(\d+) probes:/.exec(recorded.out)?.[1], 'the same probes')
  t.match(replayed.out, /^piriod-mock parity: the recording in .* \(workspace acc_parity, test mode, payment 7, with writes\) against the emulator/)

  const file = join(dir, 'reason-bad-choice.json')
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { answer: { body: string } }
  doc.answer.body = doc.answer.body.replace('is not a valid choice', 'is not a choice')
  writeFileSync(file, JSON.stringify(doc))
  const json = JSON.parse((await parity(['--replay', dir, '--json'])).out) as JsonReport
  t.strictSame(json.probes.filter(p => !p.agree).map(p => p.name), ['reason-bad-choice'])

  // a recording made by a smaller battery: the probes it lacks are listed, not failed
  writeFileSync(join(dir, 'parity.json'), JSON.stringify({ ...manifest, probes: (manifest.probes as string[]).filter(n => !['json-bom', 'reason-bad-choice', 'refund-1', 'refund-2', 'refund-3', 'over-refund-exact'].includes(n)) }))
  const older = await parity(['--replay', dir, '--json'])
  exits(t, older, 0)
  t.strictSame((JSON.parse(older.out) as JsonReport).not_recorded, ['json-bom', 'reason-bad-choice', 'refund-1', 'over-refund-exact'], 'the writes end at the first missing refund')
  // bytes that are not UTF-8 are kept as base64
  const latin1 = JSON.parse(readFileSync(join(dir, 'content-type-latin1.json'), 'utf8')) as { request: Record<string, unknown> }
  t.equal(Buffer.from(latin1.request.body_base64 as string, 'base64').toString('latin1'), '{"payment":7,"amount":"0","reason":"requested_by_customer","receipt":"café"}')
  writeFileSync(join(dir, 'parity.json'), JSON.stringify({ ...manifest, probes: ['empty-object'] }))
  const doc2 = { probe: 'empty-object', answer: { status: 400, headers: { 'content-type': 'application/json', allow: 'POST, OPTIONS' }, body_base64: Buffer.from('{"x"').toString('base64') } }
  writeFileSync(join(dir, 'empty-object.json'), JSON.stringify(doc2))
  const b64 = JSON.parse((await parity(['--replay', dir, '--json'])).out) as JsonReport
  t.strictSame(b64.probes.map(p => [p.name, p.agree, p.differences.map(d => d.what)]), [['empty-object', false, ['body']]])
  // an answer recorded with no body at all: an empty one
  writeFileSync(join(dir, 'empty-object.json'), JSON.stringify({ answer: { ...doc2.answer, body_base64: undefined } }))
  const none = JSON.parse((await parity(['--replay', dir, '--json'])).out) as { probes: Array<{ target: { body: string } }> }
  t.equal(none.probes[0]?.target.body, '')
})

t.test('the committed recording, made against the DRF oracle, replays with every probe agreeing', async t => {
  const r = await parity(['--replay', RECORDED])
  exits(t, r, 0)
  t.match(r.out, /\n(\d+) probes: \1 agree, 0 differ\n$/)
  t.match(r.out, /over-refund-exact +400 +400 +yes/, 'with the writes')
  const manifest = JSON.parse(readFileSync(join(RECORDED, 'parity.json'), 'utf8')) as { recorded_with: string, target: string }
  t.match(manifest.target, /^http:\/\/127\.0\.0\.1:\d+\/$/, 'made against a local oracle')
})

t.test('exit 2 with one line: unreachable, too slow, the token refused, an unusable recording', async t => {
  const closed = await listen(t, createServer())
  // a port nothing listens on: the server is closed again
  const port = await new Promise<number>(resolve => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as AddressInfo).port; s.close(() => resolve(p)) }) })
  const refused = await parity(live(`http://127.0.0.1:${port}`))
  t.equal(refused.code, 2)
  t.match(refused.err, new RegExp(`^piriod-mock parity: cannot reach http://127\\.0\\.0\\.1:${port}/: connect ECONNREFUSED .* \\(probe empty-object\\)\\n$`))
  t.equal(refused.out, '')
  const tls = await parity(live(`https://127.0.0.1:${port}/v1`))
  exits(t, tls, 2)
  t.match(tls.err, new RegExp(`^piriod-mock parity: cannot reach https://127\\.0\\.0\\.1:${port}/v1/: connect ECONNREFUSED`))
  const slow = await parity(live(closed, '--timeout-ms', '200'))
  t.equal(slow.code, 2)
  t.match(slow.err, /cannot reach .*: no answer within 200 ms \(probe empty-object\)/)
  const mock = await startPiriodMock({ apiTokens: 'another_token_5678' })
  t.teardown(() => mock.close())
  const token = await parity(live(mock.url))
  t.equal(token.code, 2)
  t.equal(token.err, 'piriod-mock parity: the target refuses the token (Token …1234) for workspace acc_parity: 401 {"detail":"Invalid token."}\n')
  const json = await parity(live(mock.url, '--json'))
  t.equal(json.code, 2)
  t.match(JSON.parse(json.out), { error: /the target refuses the token/, probes: [{ name: 'empty-object', agree: false }] })
  const dir = tmp(t)
  writeFileSync(join(dir, 'file'), '')
  const unwritable = await parity(live(mock.url, '--record', join(dir, 'file', 'set')))
  exits(t, unwritable, 2)
  t.match(unwritable.err, /^piriod-mock parity: ENOTDIR: not a directory, mkdir .*file\/set'\n$/)
  writeFileSync(join(dir, 'parity.json'), '{"format": 2}')
  const bad = await parity(['--replay', dir])
  t.equal(bad.code, 2)
  t.match(bad.err, /--replay .*: .*parity\.json is not a parity recording/)
  writeFileSync(join(dir, 'parity.json'), JSON.stringify({ format: 1, workspace: 'w', test_mode: false, payment: null, writes: false, probes: ['empty-object'] }))
  writeFileSync(join(dir, 'empty-object.json'), '{"answer": {"status": "400"}}')
  const broken = await parity(['--replay', dir])
  t.equal(broken.code, 2)
  t.match(broken.err, /^piriod-mock parity: the recording in .*: .*empty-object\.json holds no answer \(status, headers, body\)\n$/)
  writeFileSync(join(dir, 'empty-object.json'), '{')
  t.match((await parity(['--replay', dir])).err, /^piriod-mock parity: the recording in .*: .*JSON/)
})

t.test('answers past 1 MiB are cut, and differ; a redirect is an answer, its Location compared under the base path', async t => {
  const big = Buffer.alloc(MAX_ANSWER_BYTES + 100_000, 'x')
  let served = 0
  const huge = await listen(t, createServer((_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(400, { 'content-type': 'application/json' }).end(served++ === 0 ? big : '{}')
  }))
  const r = await parity(live(huge, '--json'))
  t.equal(r.code, 1)
  const report = JSON.parse(r.out) as JsonReport & { probes: Array<{ target: { body: string } }> }
  t.equal(report.probes[0]?.target.body.length, MAX_ANSWER_BYTES)
  // the emulator under /v1/: Location /v1/refunds/ is <base>refunds/, as the emulator's /refunds/ is
  const mock = await target(t)
  const url = await proxy(t, mock.url, body => body, '/v1')
  const prefixed = await parity(live(`${url}/v1`, '--json'))
  exits(t, prefixed, 0)
  const slash = (JSON.parse(prefixed.out) as { probes: Array<{ name: string, target: { status: number, headers: Record<string, string> } }> }).probes.find(p => p.name === 'path-without-slash')
  t.strictSame([slash?.target.status, slash?.target.headers.location], [301, '<base>refunds/'])
  const elsewhere = await listen(t, createServer((_req, res) => { res.writeHead(301, { location: 'https://elsewhere.example/x' }).end() }))
  const away = JSON.parse((await parity(live(elsewhere, '--json'))).out) as { probes: Array<{ target: { headers: Record<string, string> } }> }
  t.equal(away.probes[0]?.target.headers.location, 'https://elsewhere.example/x')
  const odd = await listen(t, createServer((_req, res) => { res.writeHead(301, { location: 'http://[' }).end() }))
  const oddReport = JSON.parse((await parity(live(odd, '--json'))).out) as { probes: Array<{ target: { headers: Record<string, string> } }> }
  t.equal(oddReport.probes[0]?.target.headers.location, 'http://[')
})

t.test('a volatile value of the wrong shape is named on the side that has it', async t => {
  const answer = (id: string): Answer => ({ status: 201, headers: {}, body: Buffer.from(`{"id":"${id}","created":"2026-01-31T12:00:00Z"}`) })
  t.strictSame(differences(answer('ref_1'), answer('ref_2')), [], 'ids differ: masked')
  t.strictSame(differences(answer('ref_1'), answer('R1')), [{ what: 'body shape', target: '(as expected)', emulator: 'id "R1" is not a refund id (ref_…)' }])
  t.strictSame(differences({ ...answer('R1'), status: 400 }, { ...answer('R2'), status: 400 }).map(d => d.what), ['body'], 'an error body is compared whole')
})

t.test('the command line: --help, the token from PIRIOD_TOKEN, and every wrong use a clear exit 2', async t => {
  const help = await parity(['--help'])
  t.equal(help.code, 0)
  t.equal(help.out, PARITY_USAGE)
  for (const flag of ['--target', '--token', '--workspace', '--test-mode', '--payment', '--writes', '--record', '--replay', '--json', '--timeout-ms', 'PIRIOD_TOKEN']) {
    t.ok(PARITY_USAGE.includes(flag), `--help documents ${flag}`)
  }
  const mock = await target(t)
  const fromEnv = await parity(['--target', mock.url, '--workspace', WS], { PIRIOD_TOKEN: TOKEN })
  exits(t, fromEnv, 0)
  const wrong: Array<[string[], RegExp]> = [
    [['--bogus'], /Unknown option '--bogus'/],
    [['--workspace', WS, '--token', TOKEN], /--target is required/],
    [['--target', mock.url, '--workspace', WS], /--token is required \(or PIRIOD_TOKEN/],
    [['--target', mock.url, '--token', 'a b', '--workspace', WS], /--token contains whitespace/],
    [['--target', mock.url, '--token', TOKEN], /--workspace is required/],
    [['--target', mock.url, '--token', TOKEN, '--workspace', ' '], /--workspace is required/],
    [['--target', 'not a url', '--token', TOKEN, '--workspace', WS], /--target "not a url" is not a URL/],
    [['--target', 'ftp://x', '--token', TOKEN, '--workspace', WS], /--target must be http:\/\/ or https:\/\/, got ftp:/],
    [['--target', 'https://u:p@api.example', '--token', TOKEN, '--workspace', WS], /--target holds credentials/],
    [[...live(mock.url), '--payment', '0'], /--payment must be a payment id/],
    [[...live(mock.url), '--payment', '9007199254740992'], /--payment must be a payment id/],
    [[...live(mock.url), '--payment', '7', '--writes'], /--writes makes refunds: it needs --test-mode/],
    [[...live(mock.url), '--test-mode', '--writes'], /--writes makes refunds on --payment: name one/],
    [[...live(mock.url), '--timeout-ms', '0'], /--timeout-ms must be an integer from 1 to 600000, got "0"/],
    [[...live(mock.url), '--timeout-ms', 'soon'], /--timeout-ms must be an integer/],
    [['--replay', RECORDED, '--target', mock.url], /--replay compares with a recorded set, which says what was sent: --target does not go with it/],
    [['--replay', join(tmpdir(), 'no-such-parity-dir')], /--replay .*no-such-parity-dir: ENOENT/]
  ]
  for (const [args, message] of wrong) {
    const r = await parity(args)
    t.equal(r.code, 2, args.join(' '))
    t.match(r.err, message, args.join(' '))
    t.match(r.err, /\(see piriod-mock parity --help\)\n$/)
  }
})

t.test('piriod-mock parity as a command: the built-in emulator, its exit status', async t => {
  const child = run({}, [join(ROOT, 'src/cli.ts'), 'parity', '--replay', RECORDED])
  t.equal(await child.exited, 0, child.stderr())
  const usage = run({}, [join(ROOT, 'src/cli.ts'), 'parity', '--writes'])
  t.equal(await usage.exited, 2)
  t.match(usage.stderr(), /^piriod-mock parity: --target is required/)
})
