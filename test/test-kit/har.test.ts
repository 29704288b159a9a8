// The journal as files: GET /__admin/requests?format=har, JOURNAL_FILE (NDJSON that outlives the process) and
// `piriod-mock har`, which turns such a file into HAR.
import t from 'tap'
import { execFile } from 'node:child_process'
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import harSdk from '@har-sdk/validator'
import { build, createPayment, postRefund, refundBody } from '../helper.js'
import { run, startServer } from '../process.js'
import { harCommand, HAR_USAGE } from '../../src/test-kit/har-command.js'
import { openJournalFile } from '../../src/test-kit/journal-file.js'
import { createJournal } from '../../src/test-kit/journal.js'
import { JOURNAL_BODY_CHARS } from '../../src/test-kit/journal-capture.js'
import { entryJson } from '../../src/test-kit/journal-json.js'
import { startPiriodMock, StartError } from '../../src/index.js'
import type { App } from '../../src/app.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

type Har = { log: { version: string, creator: { name: string }, entries: Array<Record<string, any>> } }

/** The HAR 1.2 JSON schema, as a maintained package ships it: the list of what is wrong, empty when valid. */
const harErrors = async (doc: unknown): Promise<unknown[]> => await new harSdk.HarValidator().verify(doc as never)

/**
 * What Chromium's DevTools needs to import a HAR (front_end/models/har/HARFormat.ts): every object it reads is
 * an object, every number it reads is a number, every date parses. A missing one makes the import fail.
 */
function devToolsProblems (doc: Har): string[] {
  const problems: string[] = []
  const object = (v: unknown, at: string) => { if (v === null || typeof v !== 'object') problems.push(`${at} is not an object`) }
  const number = (v: unknown, at: string) => { if (typeof v !== 'number' || Number.isNaN(v)) problems.push(`${at} is not a number`) }
  object(doc.log, 'log')
  object(doc.log.creator, 'log.creator')
  if (!Array.isArray(doc.log.entries)) problems.push('log.entries is not an array')
  for (const [i, e] of doc.log.entries.entries()) {
    const at = `entries[${i}]`
    if (Number.isNaN(new Date(e.startedDateTime).getTime())) problems.push(`${at}.startedDateTime`)
    number(e.time, `${at}.time`)
    const before = problems.length
    for (const part of ['request', 'response', 'timings']) object(e[part], `${at}.${part}`)
    if (problems.length > before) continue
    for (const key of ['headersSize', 'bodySize']) number(e.request[key], `${at}.request.${key}`)
    for (const key of ['status', 'headersSize', 'bodySize']) number(e.response[key], `${at}.response.${key}`)
    object(e.response.content, `${at}.response.content`)
    number(e.response.content.size, `${at}.response.content.size`)
    for (const key of ['send', 'wait', 'receive']) number(e.timings[key], `${at}.timings.${key}`)
    if (typeof e.request.url !== 'string' || !URL.canParse(e.request.url)) problems.push(`${at}.request.url`)
  }
  return problems
}

async function har (app: App, query = '', headers: Record<string, string> = {}): Promise<Har> {
  const res = await app.inject({ method: 'GET', url: `/__admin/requests?format=har${query}`, headers })
  const type = [res.headers['content-type'], res.headers['content-disposition']]
  if (res.statusCode !== 200 || type[0] !== 'application/json' || type[1] !== 'attachment; filename="piriod-mock.har"') {
    throw new Error(`${res.statusCode} ${JSON.stringify(type)} ${res.body}`)
  }
  return res.json()
}

/** A run with one of everything the journal marks: a blind retry, a fault, a 4xx, a cut body, credentials. */
async function busyRun (app: App): Promise<void> {
  await createPayment(app, { id: 7, amount: 100 })
  await postRefund(app, refundBody({ amount: '10.00' }), { authorization: 'Token tok_secret_1234' })
  await postRefund(app, refundBody({ amount: '10.00' }), { authorization: 'Token tok_secret_1234' }) // the blind retry
  await app.inject({ method: 'POST', url: '/__admin/faults', headers: { 'content-type': 'application/json' }, payload: '{"action":{"status":503}}' })
  await postRefund(app, refundBody({ amount: '1.00' }))
  await postRefund(app, refundBody({ amount: 'x', note: 'é'.repeat(JOURNAL_BODY_CHARS) }))
  await app.inject({ method: 'GET', url: '/nowhere?api_key=sk_test_abcdef&x=1' })
}

t.test('?format=har: the journal as a valid HAR 1.2 document, oldest first', async t => {
  const { app } = await build(t)
  await busyRun(app)
  const doc = await har(app)
  t.strictSame(await harErrors(doc), [], 'valid against the HAR 1.2 schema')
  t.strictSame(devToolsProblems(doc), [], 'has every field Chromium\'s DevTools reads')
  t.equal(doc.log.version, '1.2')
  t.equal(doc.log.creator.name, 'piriod-mock')
  const entries = doc.log.entries
  t.strictSame(entries.map(e => [e.request.method, e.response.status]), [['POST', 201], ['POST', 201], ['POST', 503], ['POST', 400], ['GET', 404]])
  t.strictSame(entries.map(e => e.comment), ['req_00000001', 'req_00000002', 'req_00000003', 'req_00000004', 'req_00000005'])
  const [first, retry, faulted, cut, notFound] = entries as [Record<string, any>, Record<string, any>, Record<string, any>, Record<string, any>, Record<string, any>]
  t.match(first.request, { url: 'http://localhost:80/refunds/', httpVersion: 'HTTP/1.1', postData: { mimeType: 'application/json' } })
  t.equal(first.request.postData.text, JSON.stringify(refundBody({ amount: '10.00' })), 'the request body as sent')
  t.match(first.response, { status: 201, statusText: 'Created', content: { mimeType: 'application/json' } })
  t.match(JSON.parse(first.response.content.text), { amount: 10, balance: 90 })
  t.match(first.response.content.text, '"amount":10.0', 'the answer as sent, money as DRF writes it')
  t.equal(first.response.content.size, Buffer.byteLength(first.response.content.text))
  t.ok(first.startedDateTime <= retry.startedDateTime)
  t.strictSame([first._possible_duplicate, retry._possible_duplicate, faulted._possible_duplicate], [true, true, false])
  t.match(faulted, { _fault: { rule: 'flt_1', status: 503 }, _hidden_response: null })
  // redacted as the journal redacts
  t.ok(first.request.headers.some((h: { name: string, value: string }) => h.name === 'authorization' && h.value === 'Token …1234'))
  t.notMatch(JSON.stringify(doc), /tok_secret|sk_test_abcdef/)
  t.equal(notFound.request.url, 'http://localhost:80/nowhere?api_key=…cdef&x=1')
  t.strictSame(notFound.request.queryString, [{ name: 'api_key', value: '…cdef' }, { name: 'x', value: '1' }])
  t.notOk('postData' in notFound.request, 'no body, no postData')
  // a body the journal cut says so
  t.match(cut.request.postData.comment, /^truncated: \d+ bytes, the first 16384 characters kept/)
  t.equal(cut.request.postData.text.length, JOURNAL_BODY_CHARS)
  t.equal(cut.request.bodySize, Buffer.byteLength(JSON.stringify(refundBody({ amount: 'x', note: 'é'.repeat(JOURNAL_BODY_CHARS) }))))
})

t.test('the schema check can fail: a HAR with a field missing is reported', async t => {
  const { app } = await build(t)
  await busyRun(app)
  const doc = await har(app)
  delete (doc.log.entries[0] as Record<string, any>).request.headers
  t.not((await harErrors(doc)).length, 0)
  const noTimings = await har(app)
  delete (noTimings.log.entries[1] as Record<string, any>).timings
  t.not((await harErrors(noTimings)).length, 0)
  t.match(devToolsProblems(noTimings), ['entries[1].timings is not an object'])
})

t.test('?format=har takes the journal\'s filters and scope; no entries is an empty log', async t => {
  const { app } = await build(t)
  await busyRun(app)
  await postRefund(app, refundBody(), { 'x-simple-workspace': 'acc_2' })
  t.strictSame((await har(app, '&status=201')).log.entries.map(e => e.comment), ['req_00000001', 'req_00000002'])
  t.strictSame((await har(app, '&method=get')).log.entries.map(e => e.request.url), ['http://localhost:80/nowhere?api_key=…cdef&x=1'])
  t.strictSame((await har(app, '&limit=2')).log.entries.map(e => e.comment), ['req_00000005', 'req_00000006'], 'the newest `limit`, oldest first')
  t.strictSame((await har(app, '&limit=2&before=req_00000003')).log.entries.map(e => e.comment), ['req_00000001', 'req_00000002'])
  t.strictSame((await har(app, '', { 'x-simple-workspace': 'acc_2' })).log.entries.map(e => e.comment), ['req_00000006'])
  const empty = await har(app, '&status=599')
  t.strictSame(empty.log.entries, [])
  // HAR 1.2 allows an empty log (DevTools opens it); the package's schema alone asks for one entry at least
  t.match(await harErrors(empty), [{ instancePath: '/log/entries', keyword: 'minItems' }])
  t.equal((await harErrors(empty)).length, 1)
  t.equal((await app.inject({ method: 'GET', url: '/__admin/requests?format=har&limit=0' })).statusCode, 400, 'the same query rules')
  t.equal((await app.inject({ method: 'GET', url: '/__admin/requests?format=xml' })).statusCode, 404, 'other formats: DRF\'s 404')
  t.equal((await app.inject({ method: 'GET', url: '/__admin/faults?format=har' })).statusCode, 404, 'only the journal has a HAR form')
  const json = await app.inject({ method: 'GET', url: '/__admin/requests?format=json&limit=1' })
  t.equal(json.json().results.length, 1, '?format=json is the paged journal')
})

t.test('?format=har streams a full journal of large entries without a page limit', async t => {
  const { app } = await build(t, { config: { JOURNAL_SIZE: 400, JOURNAL_MAX_BYTES: 64 * 1024 * 1024 } })
  await createPayment(app, { id: 7, amount: 100 })
  for (let i = 0; i < 300; i++) await postRefund(app, refundBody({ amount: 'x', note: 'n'.repeat(8000) }))
  const res = await app.inject({ method: 'GET', url: '/__admin/requests?format=har' })
  t.ok(res.rawPayload.length > 2 * 1024 * 1024, `${res.rawPayload.length} bytes in one document (a JSON page stops at 1 MiB)`)
  const doc = JSON.parse(res.body) as Har
  t.equal(doc.log.entries.length, 300)
  t.strictSame(await harErrors(doc), [])
})

t.test('?format=har needs ADMIN_TOKEN when one is set', async t => {
  const { app } = await build(t, { config: { ADMIN_TOKEN: 'adm_x' } })
  t.equal((await app.inject({ method: 'GET', url: '/__admin/requests?format=har' })).statusCode, 401)
  t.equal((await app.inject({ method: 'GET', url: '/__admin/requests?format=har', headers: { authorization: 'Token adm_x' } })).statusCode, 200)
})

// ---- JOURNAL_FILE

const linesOf = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter(l => l !== '')

t.test('JOURNAL_FILE: each entry as a line, as GET /__admin/requests shows it, before the answer goes out', async t => {
  const dir = t.testdir()
  const file = join(dir, 'logs', 'journal.ndjson')
  const mock = await startPiriodMock({ journalFile: file })
  t.teardown(() => mock.close())
  t.ok(existsSync(file), 'created with its folder at start')
  t.equal(readFileSync(file, 'utf8'), '')
  await mock.createPayment({ workspace: 'acc_1', id: 7, amount: 100 })
  const post = () => fetch(`${mock.url}/refunds/`, { method: 'POST', headers: { authorization: 'Token tok_secret_1234', 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }, body: JSON.stringify(refundBody({ amount: 10 })) })
  t.equal((await post()).status, 201)
  t.equal(linesOf(file).length, 1, 'the line is written by the time the answer arrives')
  t.equal((await post()).status, 201)
  await fetch(`${mock.url}/nowhere`)
  const lines = linesOf(file)
  t.equal(lines.length, 3, 'admin calls are not journaled')
  const entries = await mock.requests()
  // the API answers newest first; the file is in the order things happened
  t.strictSame(lines.map(l => JSON.parse(l)), entries.reverse().map(e => ({ ...e, possible_duplicate: e.id === 'req_00000002' })),
    'the same entries (a duplicate is marked on the later line only: the earlier one was written already)')
  t.notMatch(readFileSync(file, 'utf8'), /tok_secret/, 'redacted as the journal is')
})

t.test('JOURNAL_FILE survives SIGKILL, appends across restarts, and works with the journal off', async t => {
  const dir = t.testdir()
  const file = join(dir, 'journal.ndjson')
  const server = await startServer(t, { DATABASE_PATH: join(dir, 'db.sqlite'), JOURNAL_FILE: file, LOG_LEVEL: 'warn' })
  await fetch(`${server.url}/__admin/payments`, { method: 'POST', headers: { 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }, body: '{"id":7,"amount":100}' })
  const statuses: number[] = []
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${server.url}/refunds/`, { method: 'POST', headers: { authorization: 'Token tok_a', 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }, body: JSON.stringify(refundBody({ amount: 1, receipt: `R-${i}` })) })
    statuses.push(res.status)
  }
  const before = (await (await fetch(`${server.url}/__admin/requests?limit=100`)).json()) as { results: unknown[] }
  t.equal(await server.stop('SIGKILL'), null)
  const lines = linesOf(file)
  t.equal(lines.length, 20, 'every acknowledged request is in the file')
  t.strictSame(lines.map(l => JSON.parse(l).response.status), statuses)
  t.strictSame(lines.map(l => JSON.parse(l)), before.results.reverse())

  // a restart appends (ids start again at req_00000001; the time tells the runs apart)
  const again = await startServer(t, { DATABASE_PATH: join(dir, 'db.sqlite'), JOURNAL_FILE: file, JOURNAL_SIZE: '0', LOG_LEVEL: 'warn' })
  await fetch(`${again.url}/nowhere`)
  t.equal(await again.stop(), 0)
  const all = linesOf(file)
  t.equal(all.length, 21)
  t.match(JSON.parse(all[20] as string), { id: 'req_00000001', path: '/nowhere', response: { status: 404 } }, 'written with JOURNAL_SIZE=0 too')
})

t.test('JOURNAL_FILE is one entry a line whatever the bodies hold, and har reads every line back', async t => {
  const dir = t.testdir()
  const file = join(dir, 'journal.ndjson')
  const mock = await startPiriodMock({ journalFile: file })
  t.teardown(() => mock.close())
  await mock.createPayment({ workspace: 'acc_1', id: 7, amount: 100 })
  const headers = { authorization: 'Token tok_a', 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }
  const post = (body: string, extra: Record<string, string> = {}) => fetch(`${mock.url}/refunds/`, { method: 'POST', headers: { ...headers, ...extra }, body }).then(r => r.status)
  // Postman's pretty bodies, an indented answer, the deepest body the API accepts, one deeper than it reads
  t.equal(await post(JSON.stringify(refundBody({ amount: 1, metadata: { a: [1, 2], b: 'x\ny' } }), null, 2)), 201)
  t.equal(await post(JSON.stringify(refundBody({ amount: 1, receipt: 'R-2' })), { accept: 'application/json; indent=4' }), 201)
  const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`
  t.equal(await post(`{"payment":7,"amount":1,"reason":"duplicate","receipt":"R-3","metadata":${deep(899)}}`), 201, 'the body nests 900 levels')
  t.equal(await post(`{"payment":7,"amount":1,"reason":"duplicate","receipt":"R-4","metadata":${deep(950)}}`), 400, 'too deep for Python: refused')
  t.equal(await post('{\r\n  "payment": 7,\r\n\t"amount": 1, "reason": "duplicate", "receipt": "R-5"\r\n}'), 201)
  const lines = linesOf(file)
  t.equal(lines.length, 5, 'one line per request')
  const entries = lines.map(l => JSON.parse(l) as Record<string, any>)
  t.strictSame(entries[0]?.request.body, { payment: 7, amount: 1, reason: 'duplicate', receipt: 'R-1', metadata: { a: [1, 2], b: 'x\ny' } })
  t.match(entries[1]?.response.body, { receipt: 'R-2', amount: 1 }, 'the indented answer, as JSON')
  t.match(lines[1], /"amount":1\.0,"balance":98\.0/, 'numbers as they were written')
  t.equal(typeof entries[3]?.request.body, 'string', 'a body deeper than the API reads is kept as its text')
  const har = io('')
  t.equal(await harCommand([file], har.io), 0, har.err())
  const doc = JSON.parse(har.out()) as Har
  t.equal(doc.log.entries.length, 5, 'har reads every line, at every depth')
  t.strictSame(await harErrors(doc), [])
})

t.test('JOURNAL_FILE_MAX_BYTES: the file is rotated to <file>.1, one old file kept; har reads both in order', async t => {
  const dir = t.testdir()
  const file = join(dir, 'journal.ndjson')
  const mock = await startPiriodMock({ journalFile: file, journalFileMaxBytes: 1024 * 1024 })
  t.teardown(() => mock.close())
  // ~17 KB a line: a MiB holds about 60
  const body = JSON.stringify(refundBody({ receipt: 'r'.repeat(17_000) }))
  const headers = { authorization: 'Token tok_a', 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }
  for (let i = 0; i < 150; i++) t.equal((await fetch(`${mock.url}/refunds/`, { method: 'POST', body, headers })).status, 400)
  const size = (f: string) => readFileSync(f).length
  t.ok(existsSync(`${file}.1`), 'rotated')
  t.ok(size(file) <= 1024 * 1024 && size(`${file}.1`) <= 1024 * 1024, `${size(`${file}.1`)} + ${size(file)} bytes, each at most the bound`)
  const ids = [...linesOf(`${file}.1`), ...linesOf(file)].map(l => Number((JSON.parse(l) as { id: string }).id.slice(4)))
  t.equal(ids[ids.length - 1], 150, 'the newest entry is in the file')
  t.ok(ids.length < 150, 'the oldest generation is gone')
  t.strictSame(ids, Array.from({ length: ids.length }, (_, i) => 151 - ids.length + i), 'the two files continue each other')
  const har = io('')
  t.equal(await harCommand([file], har.io), 0, har.err())
  const comments = (JSON.parse(har.out()) as Har).log.entries.map(e => (e as { comment: string }).comment)
  t.strictSame(comments, ids.map(n => `req_${String(n).padStart(8, '0')}`), 'the older file first')
})

t.test('a JOURNAL_FILE that cannot be written: one line at start, exit 1', async t => {
  const dir = t.testdir({ 'a-file': 'x' })
  const readOnly = join(dir, 'ro')
  mkdirSync(readOnly)
  chmodSync(readOnly, 0o500)
  const cases = [join(dir, 'a-file', 'journal.ndjson'), dir]
  if (process.getuid?.() !== 0) cases.push(join(readOnly, 'journal.ndjson')) // root writes anywhere
  for (const path of cases) {
    const proc = run({ JOURNAL_FILE: path, DATABASE_PATH: ':memory:' })
    t.equal(await proc.exited, 1, path)
    const lines = proc.stderr().trim().split('\n')
    t.equal(lines.length, 1)
    t.match(lines[0], new RegExp(`^piriod-mock: JOURNAL_FILE ${path.replaceAll('/', '\\/')}: cannot be written \\((E[A-Z]+: |.*a-file is a file, not a folder\\))`))
  }
  await t.rejects(startPiriodMock({ journalFile: dir }), StartError)
  await t.rejects(startPiriodMock({ journalFile: join(dir, 'j.ndjson'), databasePath: join(dir, 'a-file', 'db.sqlite') }), StartError, 'closed again when the database fails')
})

t.test('a write that fails later is reported once and the emulator goes on', { skip: existsSync('/dev/full') ? false : 'needs /dev/full' }, async t => {
  const server = await startServer(t, { DATABASE_PATH: ':memory:', JOURNAL_FILE: '/dev/full', LOG_LEVEL: 'warn' })
  for (let i = 0; i < 3; i++) t.equal((await fetch(`${server.url}/nowhere`)).status, 404)
  const journal = (await (await fetch(`${server.url}/__admin/requests`)).json()) as { count: number }
  t.equal(journal.count, 3, 'the journal in memory has them all')
  const warnings = server.logs.filter(l => l.includes('cannot append'))
  t.equal(warnings.length, 1, 'one warning for a run of failures')
  t.match(JSON.parse(warnings[0] as string), { level: 40, msg: /^JOURNAL_FILE \/dev\/full: cannot append \(ENOSPC/ })
  t.equal(await server.stop(), 0)
})

t.test('openJournalFile: a closed file takes no more lines; failures are reported per run', async t => {
  const dir = t.testdir()
  const journal = createJournal({ size: 10, maxBytes: 1024 * 1024, duplicateWindowMs: 0 })
  const entry = journal.add({ time: 0, method: 'GET', path: '/x', query: null, headers: {}, workspace: null, testMode: null, requestBody: null, status: 404, responseBody: null, hiddenResponse: null, durationMs: 1, fault: null, duplicateKey: null })
  if (entry === null) throw new Error('no entry')
  const file = join(dir, 'j.ndjson')
  const errors: string[] = []
  const out = openJournalFile(file, 1024 * 1024, m => errors.push(m))
  out.append(entry)
  out.close()
  out.append(entry)
  t.equal(readFileSync(file, 'utf8'), `${entryJson(entry)}\n`)
  t.strictSame(errors, [])
})

// ---- piriod-mock har

function io (input: string | Buffer[], isTTY = false) {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.setEncoding('utf8').on('data', (c: string) => { out += c })
  stderr.setEncoding('utf8').on('data', (c: string) => { err += c })
  const stdin = Object.assign(Readable.from(typeof input === 'string' ? [Buffer.from(input)] : input), { isTTY })
  return { io: { stdin, stdout, stderr }, out: () => out, err: () => err }
}

t.test('piriod-mock har: a JOURNAL_FILE as HAR, the same as ?format=har', async t => {
  const dir = t.testdir()
  const file = join(dir, 'j.ndjson')
  const mock = await startPiriodMock({ journalFile: file })
  await mock.createPayment({ workspace: 'acc_1', id: 7, amount: 100 })
  const headers = { authorization: 'Token tok_a', 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }
  await fetch(`${mock.url}/refunds/`, { method: 'POST', headers, body: JSON.stringify(refundBody({ amount: 25 })) })
  await fetch(`${mock.url}/refunds/?api_key=secret1&x=2`, { method: 'POST', headers, body: JSON.stringify(refundBody({ amount: 'x', note: 'n'.repeat(JOURNAL_BODY_CHARS + 5) })) })
  await mock.addFault({ action: { drop_connection: true } })
  await fetch(`${mock.url}/refunds/`, { method: 'POST', headers, body: '{}' }).catch(() => null)
  await mock.addFault({ action: { status: 503, after_commit: true } })
  t.equal((await fetch(`${mock.url}/refunds/`, { method: 'POST', headers, body: JSON.stringify(refundBody({ amount: 5 })) })).status, 503)
  const fromApi = JSON.parse(await (await fetch(`${mock.url}/__admin/requests?format=har`)).text()) as Har
  await mock.close()

  const run1 = io([readFileSync(file)])
  t.equal(await harCommand([], run1.io), 0, run1.err())
  t.equal(run1.err(), '')
  const doc = JSON.parse(run1.out()) as Har
  t.strictSame(await harErrors(doc), [])
  t.strictSame(devToolsProblems(doc), [])
  t.equal(doc.log.entries.length, 4)
  // the same document the endpoint answers, but for what a line of JSON cannot carry: the bodies' whitespace
  t.strictSame(doc, fromApi)
  const [, cut, dropped, hidden] = doc.log.entries as [Record<string, any>, Record<string, any>, Record<string, any>, Record<string, any>]
  t.match(hidden, { response: { status: 503 }, _fault: { status: 503, after_commit: true }, _hidden_response: { status: 201, text: /"amount":5\.0/ } }, 'what the fault hid')
  t.match(cut.request.postData.comment, /^truncated: /)
  t.match(cut.request.url, /\?api_key=…&x=2$/)
  t.match(dropped.response, { status: 0, bodySize: -1, comment: /dropped/ })
  t.match(dropped, { _fault: { rule: 'flt_1', drop_connection: true }, _hidden_response: null })

  const fromFile = io('')
  t.equal(await harCommand([file], fromFile.io), 0)
  t.strictSame(JSON.parse(fromFile.out()), doc, 'a file named as an argument')
})

t.test('piriod-mock har: lines split anywhere, blank lines, bad lines named and left out', async t => {
  const dir = t.testdir()
  const file = join(dir, 'j.ndjson')
  const mock = await startPiriodMock({ journalFile: file })
  for (let i = 0; i < 3; i++) await fetch(`${mock.url}/nowhere/${i}`)
  await mock.close()
  const text = readFileSync(file, 'utf8')
  // every line cut across chunks of 7 bytes, the last line without its newline
  const bytes = Buffer.from(text.trimEnd())
  const chunks: Buffer[] = []
  for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7))
  const split = io(chunks)
  t.equal(await harCommand([], split.io), 0)
  t.strictSame((JSON.parse(split.out()) as Har).log.entries.map(e => e.request.url), [0, 1, 2].map(i => `http://${new URL(mock.url).host}/nowhere/${i}`))

  const lines = text.trimEnd().split('\n')
  const bad = io([lines[0], '', 'not json', '[1]', '{"id": "req_1"}', JSON.stringify({ ...JSON.parse(lines[1] as string), request: { headers: { a: 1 } } }),
    JSON.stringify({ ...JSON.parse(lines[1] as string), response: { status: 'x' } }), lines[2]].join('\n') + '\n')
  t.equal(await harCommand([], bad.io), 1, 'exit 1 when a line was left out')
  t.equal((JSON.parse(bad.out()) as Har).log.entries.length, 2, 'the good lines are still converted')
  t.strictSame(bad.err().trim().split('\n'), [
    'piriod-mock har: line 3 left out: not JSON: Expecting value: line 1 column 1 (char 0)',
    'piriod-mock har: line 4 left out: not a JSON object',
    'piriod-mock har: line 5 left out: "request" is not an object',
    'piriod-mock har: line 6 left out: request header "a" is not a string',
    'piriod-mock har: line 7 left out: "status" is not a number'
  ])

  const long = io([Buffer.from('{"x": "'), Buffer.alloc(5 * 1024 * 1024, 'a'), Buffer.from('"}\n'), Buffer.from(`${lines[0] as string}\n`), Buffer.alloc(5 * 1024 * 1024, 'b')])
  t.equal(await harCommand([], long.io), 1)
  t.strictSame(long.err().trim().split('\n'), [
    'piriod-mock har: line 1 left out: longer than 4194304 bytes',
    'piriod-mock har: line 3 left out: longer than 4194304 bytes'
  ], 'never held whole')
  t.equal((JSON.parse(long.out()) as Har).log.entries.length, 1)

  const many = io(Array.from({ length: 13 }, () => 'x\n').join(''))
  t.equal(await harCommand([], many.io), 1)
  const said = many.err().trim().split('\n')
  t.equal(said.length, 11)
  t.equal(said[10], 'piriod-mock har: 3 more lines left out')
})

t.test('piriod-mock har: lines written by hand, with only what a line needs', async t => {
  const line = (fields: Record<string, unknown>) => JSON.stringify({
    id: 'req_1',
    time: '2026-01-01T00:00:00.000Z',
    method: 'POST',
    path: '/x',
    query: null,
    workspace: null,
    test_mode: true,
    request: { headers: {}, body: 'plain text' },
    response: { status: 599, body: null },
    duration_ms: 1.5,
    possible_duplicate: false,
    fault: null,
    ...fields
  })
  const lines = [line({}), line({ request: { headers: { host: 'h:1' } }, response: { status: 204 }, hidden_response: { status: 201, body: null } }), line({ test_mode: 'yes' }), line({ fault: 3 })]
  const run1 = io(lines.join('\n'))
  t.equal(await harCommand([], run1.io), 1)
  t.strictSame(run1.err().trim().split('\n'), [
    'piriod-mock har: line 3 left out: "test_mode" is not true or false or null',
    'piriod-mock har: line 4 left out: "fault" is not an object or null'
  ])
  const doc = JSON.parse(run1.out()) as Har
  t.strictSame(await harErrors(doc), [])
  t.strictSame(devToolsProblems(doc), [])
  const [bare, noBody] = doc.log.entries as [Record<string, any>, Record<string, any>]
  t.equal(bare.request.url, 'http://localhost/x', 'no Host header: localhost')
  t.strictSame(bare.request.postData, { mimeType: '', text: 'plain text' }, 'a text body, no Content-Type')
  t.match(bare.response, { status: 599, statusText: '', headers: [], content: { size: 0, mimeType: 'x-unknown' }, bodySize: 0 })
  t.equal(bare._test_mode, true)
  t.equal(noBody.request.url, 'http://h:1/x')
  t.notOk('postData' in noBody.request)
  t.match(noBody.response, { status: 204, statusText: 'No Content' })
  t.strictSame(noBody._hidden_response, { status: 201, text: '' })
  t.equal(bare._hidden_response, null, 'a line from before hidden_response: none')
})

t.test('piriod-mock har: usage', async t => {
  const help = io('')
  t.equal(await harCommand(['--help'], help.io), 0)
  t.equal(help.out(), HAR_USAGE)
  for (const args of [['a', 'b'], ['--x']]) {
    const wrong = io('')
    t.equal(await harCommand(args, wrong.io), 2)
    t.equal(wrong.err(), HAR_USAGE)
  }
  const tty = io('', true)
  t.equal(await harCommand([], tty.io), 2, 'a terminal on stdin is not a file')
  t.match(tty.err(), /^piriod-mock har: give a JOURNAL_FILE on stdin or as an argument\n/)
  const missing = io('')
  t.equal(await harCommand([join(t.testdir(), 'nope.ndjson')], missing.io), 1)
  t.match(missing.err(), /^piriod-mock har: ENOENT: no such file or directory/)
})

t.test('npx piriod-mock har < journal.ndjson > run.har, with the built command', async t => {
  const dir = t.testdir()
  const file = join(dir, 'journal.ndjson')
  const server = await startServer(t, { DATABASE_PATH: ':memory:', JOURNAL_FILE: file, LOG_LEVEL: 'warn' }, { bundle: true })
  await fetch(`${server.url}/nowhere`)
  t.equal(await server.stop(), 0)
  appendFileSync(file, '')
  await promisify(execFile)('bash', ['-c', `node ${join(ROOT, 'dist/cli.js')} har < journal.ndjson > run.har`], { cwd: dir })
  const doc = JSON.parse(readFileSync(join(dir, 'run.har'), 'utf8')) as Har
  t.equal(doc.log.entries.length, 1)
  t.strictSame(await harErrors(doc), [])
  // the command's entry, from the sources (so that coverage sees it)
  const fromSources = run({}, [join(ROOT, 'src/cli.ts'), 'har', file])
  t.equal(await fromSources.exited, 0, fromSources.stderr())
  t.equal((JSON.parse(fromSources.logs.join('\n')) as Har).log.entries.length, 1)
  writeFileSync(join(dir, 'bad.ndjson'), 'nope\n')
  await t.rejects(promisify(execFile)('bash', ['-c', `node ${join(ROOT, 'dist/cli.js')} har bad.ndjson > bad.har`], { cwd: dir }), { code: 1, stderr: /line 1 left out/ })
})
