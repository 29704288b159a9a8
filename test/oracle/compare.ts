// Development tool, not part of `npm test`: sends the same requests to the DRF oracle (test/oracle/drf-oracle.py,
// a real Django REST Framework app implementing the refunds contract) and to the emulator, and prints every
// difference in status, headers or body. The oracle needs Debian's python3-djangorestframework and gunicorn.
//
//   PORT=8123 ORACLE_TOKENS=tok_a,tok_b /usr/bin/python3 test/oracle/drf-oracle.py &
//   npm run build && PORT=8124 API_TOKENS=tok_a,tok_b DATABASE_PATH=:memory: node dist/server.js &
//   node --import tsx test/oracle/compare.ts   (or: npx tsc -p test/oracle && node …)
//
// ORACLE / EMULATOR override the two base URLs; CASES=n adds n random bodies.
import { request } from 'node:http'

const ORACLE = process.env.ORACLE ?? 'http://127.0.0.1:8123'
const EMULATOR = process.env.EMULATOR ?? 'http://127.0.0.1:8124'

interface Req { method?: string, path?: string, headers?: Record<string, string>, body?: string | Buffer, label?: string }
interface Res { status: number, headers: Record<string, string | string[] | undefined>, body: string }
const NO_HEADERS: Res['headers'] = {}

function send (base: string, r: Req): Promise<Res> {
  const url = new URL(r.path ?? '/refunds/', base)
  return new Promise((resolve, reject) => {
    const req = request(url, { method: r.method ?? 'POST', headers: r.headers }, res => {
      const chunks: Buffer[] = []
      res.on('data', c => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
    })
    req.on('error', reject)
    if (r.body !== undefined) req.end(r.body)
    else req.end()
  })
}

const BASE_HEADERS = { authorization: 'Token tok_a', 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }
const PAYMENTS = [
  { ws: 'acc_1', test: false, id: 7, amount: 100 },
  { ws: 'acc_1', test: false, id: 8, amount: 50, refund_outcome: 'failed' },
  { ws: 'acc_1', test: true, id: 7, amount: 30 },
  { ws: 'acc_2', test: false, id: 7, amount: 10 }
]

async function seed (base: string): Promise<void> {
  await send(base, { path: '/__admin/reset', headers: {} })
  for (const p of PAYMENTS) {
    await send(base, {
      path: '/__admin/payments',
      headers: { 'x-simple-workspace': p.ws, 'x-piriod-test-mode': String(p.test), 'content-type': 'application/json' },
      body: JSON.stringify({ id: p.id, amount: p.amount, refund_outcome: p.refund_outcome ?? 'succeeded' })
    })
  }
}

// Bodies are compared as text (numbers as written: 25.0 is not 25), with refund ids and timestamps masked
const ID = /"id":( ?)"ref_[0-9a-f]+"/g
const TIME = /"(created|updated)":( ?)"[0-9T:.Z-]+"/g

function normalize (body: string): string {
  if (body.includes('Server Error (500)')) return 'HTML 500'
  return body.replace(ID, '"id":$1"ID"').replace(TIME, '"$1":$2"T"')
}

const HEADERS = ['content-type', 'allow', 'www-authenticate', 'location']

async function compare (r: Req): Promise<string | null> {
  const o = await send(ORACLE, { ...r, headers: { ...r.headers, 'x-oracle-dry-run': '1' } })
    .catch((err: Error): Res => ({ status: 0, headers: NO_HEADERS, body: `oracle: ${err.message}` }))
  const e = await send(EMULATOR, r)
  await seed(EMULATOR)
  const diffs: string[] = []
  if (o.status !== e.status) diffs.push(`status ${o.status} vs ${e.status}`)
  for (const h of HEADERS) if (String(o.headers[h]) !== String(e.headers[h])) diffs.push(`${h}: ${o.headers[h]} vs ${e.headers[h]}`)
  const on = normalize(o.body)
  const en = normalize(e.body)
  if (on !== en) diffs.push(`body\n    drf: ${on.slice(0, 400)}\n    emu: ${en.slice(0, 400)}`)
  if (diffs.length === 0) return null
  const label = r.label ?? `${r.method ?? 'POST'} ${r.path ?? '/refunds/'} ${String(r.body ?? '').slice(0, 120)}`
  return `${label}\n  ${diffs.join('\n  ')}`
}

const body = (fields: Record<string, unknown>): Req => ({
  headers: BASE_HEADERS,
  body: JSON.stringify({ payment: 7, amount: 1, reason: 'duplicate', receipt: 'R', ...fields })
})
const raw = (text: string | Buffer, headers: Record<string, string> = {}): Req => ({ headers: { ...BASE_HEADERS, ...headers }, body: text })
// a field given as JSON text, so that what JSON.stringify cannot write (1.0, 12345678901234567890, ordered keys) is sent
const rawField = (name: string, json: string): Req => ({
  headers: BASE_HEADERS,
  body: `{"payment":7,"amount":1,"reason":"duplicate","receipt":"R","${name}":${json}}`,
  label: `${name} = ${json.slice(0, 60)}`
})

// JSON texts whose Python reading JavaScript's JSON.parse loses: floats that remember they are floats, ints of any
// size, key order and repeated keys, lone surrogates
const PY_TEXTS = ['1.0', '-0.0', '-0', '0.0', '7.0', '7.5', '1e20', '1E+2', '1e2', '1e-06', '1e-7', '0.0001', '0.00001', '1e16', '1e15',
  '9999999999999999.0', '12345678901234567890', '-12345678901234567890', '9223372036854775807', '9223372036854775808',
  '18446744073709551616', '1e400', '-1e400', '123456789012345678901234567890.5', '0.30000000000000004', '[12345678901234567890]',
  '[1.0, -0.0]', '{"a": 1.0}', '{"2": 1, "1": 2, "b": 3}', '{"a": 1, "a": 2.0}', '{"b": {"2": [1, {"1": 1e20, "0": -0.0}]}, "a": 1}',
  '{"a": 12345678901234567890}', '"\\ud800"', '"a\\udc00"', '"\\ud83d\\ude00"', '{"\\ud800": 1}', '{"a": ["\\udfff"]}',
  '{"a": 1e400}', '{"a": 1E400}', '"\\u00e9\\u2028"']

// malformed documents of every kind json.decoder reports
const MALFORMED = ['{', '}', '[', ']', '{"a"', '{"a":', '{"a":1', '{"a":1,', '{"a":1,}', '[1,]', '[1 2]', '{"a" 1}', '{a:1}', "{'a':1}",
  '{"a":1}}', '{"a":1} x', '[1]]', 'nul', 'tru', 'fals', 'NaN', 'Infinity', '-Infinity', '{"a":NaN}', '{"a":-Infinity}', '-', '-x', '01',
  '1.', '.5', '1e', '1e+', '"abc', '"a\\', '"\\x"', '"\\u12"', '"\\u12g4"', '"\\u1234', '"\\ud800\\u12"', '"a\nb"', '"\t"',
  '{"a":"x\u0001"}', '\ufeff{}', ' ', '\n\n{"a":\n1,\n"b":}', '{"😀😀":x}', '["é", 😀]', `${'['.repeat(5)}${']'.repeat(4)}`]

const VALUES: unknown[] = [
  null, true, false, 0, -0, 1, -1, 7, 8, 12.5, 1.5, 0.1, 0.01, 0.001, 1e-7, 1e16, 1e20, 123456789012345, 9007199254740993,
  '', ' ', '7', ' 7 ', '07', '+7', '-7', '7.0', '1_0', '_1', '1__0', '٧', '\u00a07', '\u001c7', '\ufeff7', 'abc', '12.50',
  '12.555', '0.00', '1e2', '1E+2', 'NaN', 'inf', '-Infinity', 'sNaN', '0.30000000000000004', '1234567890123.5',
  '12345678901234', '1234567890123456', '.5', '5.', '1e-2', '100e-2', 'duplicate', 'Duplicate', 'fraudulent',
  'requested_by_customer', 'a\u0000b', '\ud800', 'a\ud83d\ude00', 'x'.repeat(64), 'x'.repeat(65), 'é'.repeat(256),
  '😀'.repeat(257), ' padded ', '\u0085x\u0085', '\ufeff', '\u2028', [], [1], ['a', null], {}, { a: 1 }, { a: [1, { b: null }] },
  { __proto__: null, x: 1 }, 'x'.repeat(1001), '1'.repeat(1001)
]

function cases (): Req[] {
  const out: Req[] = []
  for (const name of ['payment', 'amount', 'reason', 'note', 'receipt', 'metadata']) {
    for (const v of VALUES) out.push({ ...body({ [name]: v }), label: `${name} = ${JSON.stringify(v)?.slice(0, 60)}` })
    out.push({ headers: BASE_HEADERS, body: JSON.stringify(Object.fromEntries(Object.entries({ payment: 7, amount: 1, reason: 'duplicate', receipt: 'R' }).filter(([k]) => k !== name))), label: `without ${name}` })
  }
  for (const v of VALUES) out.push({ ...raw(JSON.stringify(v)), label: `body = ${JSON.stringify(v)?.slice(0, 60)}` })
  for (const name of ['payment', 'amount', 'reason', 'note', 'receipt', 'metadata']) for (const text of PY_TEXTS) out.push(rawField(name, text))
  for (const text of [...PY_TEXTS, ...MALFORMED]) out.push({ ...raw(text), label: `body ${text.slice(0, 60)}` })
  const good = '{"payment":7,"amount":"12.50","reason":"duplicate","receipt":"R-é","note":"€","metadata":{"2":"x","1":1.0}}'
  for (const [charset, bytes] of [
    ['utf-16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(good, 'utf16le')])],
    ['UTF-16', Buffer.from(good, 'utf16le')],
    ['utf-16le', Buffer.from(good, 'utf16le')],
    ['utf-16le', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(good, 'utf16le')])],
    ['utf-16-be', Buffer.from(good, 'utf16le').swap16()],
    ['utf-32', Buffer.from(new Uint32Array([0xfeff, ...[...good].map(c => c.codePointAt(0) as number)]).buffer)],
    ['utf-32', Buffer.from(new Uint32Array([...good].map(c => c.codePointAt(0) as number)).buffer)],
    ['utf-8-sig', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(good)])],
    ['utf-8', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(good)])],
    ['cp1252', Buffer.from(good.replace('€', '\x80'), 'latin1')],
    ['windows-1252', Buffer.from('{"receipt":"\x81"}', 'latin1')],
    ['iso-8859-2', Buffer.from(good.replace('€', ''), 'latin1')],
    ['koi8-r', Buffer.from('{"payment":7,"amount":1,"reason":"duplicate","receipt":"\xc1\xc2"}', 'latin1')],
    ['x-unknown', Buffer.from(good)],
    ['latin_1', Buffer.from(good, 'latin1')],
    ['undefined', Buffer.from(good)]
  ] as Array<[string, Buffer]>) {
    out.push({ ...raw(bytes, { 'content-type': `application/json; charset=${charset}` }), label: `charset ${charset} (${bytes.length} bytes)` })
  }
  for (const text of ['', ' ', '{', '{"a":1,}', '{"a":1}}', 'NaN', '{"a":-Infinity}', '{"a":"x\ny"}', '\ufeff{}', '[1,2', '{"payment":7 "x":1}']) out.push({ ...raw(text), label: `raw ${JSON.stringify(text)}` })
  for (const bytes of [[0xff], [0xe2, 0x82], [0xe2, 0x28, 0xa1], [0xed, 0xa0, 0x80], [0xf0, 0x90, 0x41], [0xc0, 0xaf], [0xf5]]) {
    out.push({ ...raw(Buffer.concat([Buffer.from('{"receipt":"'), Buffer.from(bytes), Buffer.from('"}')])), label: `bytes ${bytes.map(b => b.toString(16))}` })
    out.push({ ...raw(Buffer.concat([Buffer.from('{}'), Buffer.from(bytes)])), label: `trailing bytes ${bytes.map(b => b.toString(16))}` })
  }
  out.push({ ...raw(Buffer.from('{"payment":7,"amount":1,"reason":"duplicate","receipt":"\xff"}', 'latin1'), { 'content-type': 'application/json; charset=latin-1' }), label: 'latin-1' })
  out.push({ ...raw(Buffer.from('{"receipt":"\xff"}', 'latin1'), { 'content-type': 'application/json; charset=US-ASCII' }), label: 'ascii' })
  for (const ct of ['Application/JSON', 'application/json;charset=utf-8', 'application/*', '*/*', '*/json', '*', 'text/plain',
    'application/vnd.api+json', 'application/jsonx', 'application/json, text/plain', 'multipart/form-data; boundary=x', 'application']) {
    out.push({ ...body({}), headers: { ...BASE_HEADERS, 'content-type': ct }, label: `content-type ${ct}` })
    out.push({ headers: { ...BASE_HEADERS, 'content-type': ct }, label: `content-type ${ct}, no body` })
  }
  for (const auth of ['', 'Token', 'Token ', 'Token a b', 'token tok_a', 'TOKEN tok_a', 'Token  tok_a', 'Token\ttok_a', 'Bearer tok_a', 'Tokentok_a', 'Token nope', 'Basic abc', 'Token tok_b']) {
    out.push({ ...body({}), headers: { ...BASE_HEADERS, authorization: auth }, label: `authorization ${JSON.stringify(auth)}` })
  }
  out.push({ ...body({}), headers: { ...BASE_HEADERS, authorization: 'Token caf\xe9' }, label: 'authorization latin-1' })
  for (const ws of ['', ' ', 'acc_2', 'ACC_1']) out.push({ ...body({}), headers: { ...BASE_HEADERS, 'x-simple-workspace': ws }, label: `workspace ${JSON.stringify(ws)}` })
  for (const mode of ['', 'true', 'TRUE', 'tRuE', '1', '0', 'yes', 'No', 'on', 'OFF', 't', 'F', 'y', 'n', 'maybe', 'null', '2', ' true']) {
    out.push({ ...body({}), headers: { ...BASE_HEADERS, 'x-piriod-test-mode': mode }, label: `test-mode ${JSON.stringify(mode)}` })
  }
  for (const accept of ['text/html', 'application/xml, */*;q=0.1', 'application/json; indent=4', 'application/*', 'text/html;q=0.9, application/json;q=0.1', 'application/json; indent=0', 'application/json; indent=12', '*/*; indent=2', 'application/json; indent=x']) {
    out.push({ ...body({}), headers: { ...BASE_HEADERS, accept }, label: `accept ${accept}` })
    out.push({ ...body({}), headers: { ...BASE_HEADERS, authorization: '', accept }, label: `accept ${accept} (401)` })
  }
  for (const path of ['/refunds/?format=json', '/refunds/?format=xml', '/refunds/?format=', '/refunds?x=1', '/refunds']) out.push({ ...body({}), path, label: `path ${path}` })
  for (const method of ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']) {
    out.push({ method, headers: BASE_HEADERS, label: method })
    out.push({ method, headers: { ...BASE_HEADERS, authorization: '' }, label: `${method} unauthenticated` })
    out.push({ method, headers: { ...BASE_HEADERS, 'x-simple-workspace': '' }, label: `${method} without workspace` })
  }
  out.push({ ...body({ payment: 8, amount: 50 }), label: 'failed outcome' })
  out.push({ ...body({ payment: 8, amount: 51 }), label: 'failed outcome, over' })
  out.push({ ...body({ amount: 100 }), label: 'whole balance' })
  out.push({ ...body({ amount: '100.01' }), label: 'over by a cent' })
  out.push({ ...body({ amount: 31 }), headers: { ...BASE_HEADERS, 'x-piriod-test-mode': 'true' }, label: 'test mode over' })
  out.push({ ...body({ amount: 'x', payment: 999 }), label: 'missing payment + bad amount' })
  out.push({ ...body({ amount: 'x', payment: '999' }), label: 'missing payment (str) + bad amount' })
  out.push({ ...body({ amount: 101, receipt: '' }), label: 'over + blank receipt' })
  return out
}

function randomValue (depth = 0): unknown {
  const r = Math.random()
  if (r < 0.5 || depth > 2) return VALUES[Math.floor(Math.random() * VALUES.length)]
  if (r < 0.75) return Array.from({ length: Math.floor(Math.random() * 3) }, () => randomValue(depth + 1))
  return Object.fromEntries(Array.from({ length: Math.floor(Math.random() * 3) }, (_, i) => [`k${i}`, randomValue(depth + 1)]))
}

function randomCases (n: number): Req[] {
  const names = ['payment', 'amount', 'reason', 'note', 'receipt', 'metadata', 'id', 'extra']
  return Array.from({ length: n }, () => {
    const fields: Record<string, unknown> = {}
    for (const name of names) if (Math.random() < 0.7) fields[name] = randomValue()
    return { headers: BASE_HEADERS, body: JSON.stringify(fields) }
  })
}

await seed(ORACLE)
await seed(EMULATOR)
const all = [...cases(), ...randomCases(Number(process.env.CASES ?? 0))]
let differ = 0
for (const c of all) {
  const diff = await compare(c)
  if (diff !== null) {
    differ++
    console.log(diff)
  }
}
// refunds made for real on both sides, then the payment as the admin API answers it: money and metadata as text
await seed(ORACLE)
await seed(EMULATOR)
for (const text of ['{"payment":7,"amount":"12.50","reason":"duplicate","receipt":"R","metadata":{"2":1,"1":[1.0,-0.0,12345678901234567890],"a":{"b":1e-7}}}',
  '{"payment":7,"amount":0.01,"reason":"fraudulent","receipt":"R2","note":"n"}', '{"payment":8,"amount":25,"reason":"duplicate","receipt":"R3"}']) {
  for (const base of [ORACLE, EMULATOR]) await send(base, { headers: BASE_HEADERS, body: text })
}
for (const id of [7, 8]) {
  const r: Req = { method: 'GET', path: `/__admin/payments/${id}`, headers: { 'x-simple-workspace': 'acc_1' }, label: `GET /__admin/payments/${id} after refunds` }
  const [o, e] = [await send(ORACLE, r), await send(EMULATOR, r)]
  const [on, en] = [normalize(o.body), normalize(e.body)]
  all.push(r)
  if (o.status !== e.status || on !== en) {
    differ++
    console.log(`${r.label as string}\n  drf: ${on}\n  emu: ${en}`)
  }
}
console.log(`${all.length} requests, ${differ} differ`)
