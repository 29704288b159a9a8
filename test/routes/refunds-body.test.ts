// POST /refunds/ — body parsing as DRF's JSONParser does it (rest_framework/parsers.py, request.py).
import t from 'tap'
import { readFileSync } from 'node:fs'
import { assertDetail, assertInvalid, assertRefund, build, createPayment, postRefund, refundBody } from '../helper.js'
import { MAX_NESTING_DEPTH } from '../../src/python/json.js'

const REQUIRED = {
  payment: ['This field is required.'],
  amount: ['This field is required.'],
  reason: ['This field is required.'],
  receipt: ['This field is required.']
}

t.test('content types', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 1000 })
  const body = JSON.stringify(refundBody())
  for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/json ; x=y',
    'application/*', '*/*', '*/json', 'application/json; charset="utf-8"', 'application/json; charset=bogus', 'application/json; flag; charset=utf-8']) {
    assertRefund(t, await postRefund(app, body, { 'content-type': type }))
  }
  for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/vnd.api+json', 'application/jsonx', '*',
    'application', 'application/json, text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded']) {
    const res = await postRefund(app, body, { 'content-type': type })
    assertDetail(t, res, 415, `Unsupported media type "${type}" in request.`)
    t.equal(res.headers.allow, 'POST, OPTIONS')
  }
  const none = await app.inject({ method: 'POST', url: '/refunds/', headers: { authorization: 'Token t', 'x-simple-workspace': 'acc_1' }, payload: body })
  assertDetail(t, none, 415, 'Unsupported media type "" in request.')
})

t.test('an empty body is {} whatever its content type', async t => {
  const { app } = await build(t)
  for (const type of [undefined, 'application/json', 'text/plain', '*', 'application/json, text/plain']) {
    const headers: Record<string, string> = { authorization: 'Token t', 'x-simple-workspace': 'acc_1' }
    if (type !== undefined) headers['content-type'] = type
    assertInvalid(t, await app.inject({ method: 'POST', url: '/refunds/', headers, payload: '' }), REQUIRED, `empty body, ${type}`)
    assertInvalid(t, await app.inject({ method: 'POST', url: '/refunds/', headers }), REQUIRED, `no body, ${type}`)
  }
})

t.test('bodies that are not objects', async t => {
  const { app } = await build(t)
  for (const [text, type] of [['[1]', 'list'], ['[]', 'list'], ['"x"', 'str'], ['3', 'int'], ['1.5', 'float'], ['true', 'bool'], ['false', 'bool']]) {
    assertInvalid(t, await postRefund(app, text), { non_field_errors: [`Invalid data. Expected a dictionary, but got ${type}.`] })
  }
  assertInvalid(t, await postRefund(app, 'null'), { non_field_errors: ['No data provided'] })
})

t.test('malformed JSON: 400 "JSON parse error - <Python\'s json message>", as DRF answered the same bodies', async t => {
  const { app } = await build(t)
  // the bodies test/drf/body.test.ts replays without HTTP, with the text DRF itself gave for each
  const fixtures = JSON.parse(readFileSync(new URL('../drf/fixtures/drf-bodies.json', import.meta.url), 'utf8')) as Array<{ body: string, content_type: string, detail?: string }>
  const malformed = fixtures.filter(f => f.detail !== undefined && f.content_type === 'application/json').slice(0, 60)
  t.ok(malformed.length >= 50)
  for (const f of malformed) assertDetail(t, await postRefund(app, Buffer.from(f.body, 'base64')), 400, f.detail as string)
  assertDetail(t, await postRefund(app, '{"a":1,}'), 400, 'JSON parse error - Expecting property name enclosed in double quotes: line 1 column 8 (char 7)')
  // positions count code points, as Python counts them (DRF's answer for the same body)
  assertDetail(t, await postRefund(app, '{"😀😀": x}'), 400, 'JSON parse error - Expecting value: line 1 column 8 (char 7)')
})

t.test('bytes that are not UTF-8: Python\'s decoder messages', async t => {
  const { app } = await build(t)
  const cases: Array<[number[], string]> = [
    [[0xff], "'utf-8' codec can't decode byte 0xff in position 12: invalid start byte"],
    [[0xc0, 0xaf], "'utf-8' codec can't decode byte 0xc0 in position 12: invalid start byte"],
    [[0xf5], "'utf-8' codec can't decode byte 0xf5 in position 12: invalid start byte"],
    [[0xe2, 0x28, 0xa1], "'utf-8' codec can't decode byte 0xe2 in position 12: invalid continuation byte"],
    [[0xe2, 0x82, 0x28], "'utf-8' codec can't decode bytes in position 12-13: invalid continuation byte"],
    [[0xed, 0xa0, 0x80], "'utf-8' codec can't decode byte 0xed in position 12: invalid continuation byte"],
    [[0xe0, 0x80, 0x80], "'utf-8' codec can't decode byte 0xe0 in position 12: invalid continuation byte"],
    [[0xf0, 0x80, 0x80, 0x80], "'utf-8' codec can't decode byte 0xf0 in position 12: invalid continuation byte"],
    [[0xf4, 0x90, 0x80, 0x80], "'utf-8' codec can't decode byte 0xf4 in position 12: invalid continuation byte"],
    [[0xf0, 0x90, 0x41], "'utf-8' codec can't decode bytes in position 12-13: invalid continuation byte"],
    [[0xf0, 0x90, 0x80, 0x41], "'utf-8' codec can't decode bytes in position 12-14: invalid continuation byte"]
  ]
  for (const [bytes, message] of cases) {
    const payload = Buffer.concat([Buffer.from('{"receipt":"'), Buffer.from(bytes), Buffer.from('"}')])
    assertDetail(t, await postRefund(app, payload), 400, `JSON parse error - ${message}`)
  }
  // DRF reads through a StreamReader: a sequence cut off by the end of the body is dropped, not an error
  assertInvalid(t, await postRefund(app, Buffer.concat([Buffer.from('{}'), Buffer.from([0xe2, 0x82])])), REQUIRED)
  assertInvalid(t, await postRefund(app, Buffer.concat([Buffer.from('{}'), Buffer.from([0xf0])])), REQUIRED)
  // valid multi-byte characters pass
  await createPayment(app, { id: 7, amount: 100 })
  const ok = assertRefund(t, await postRefund(app, refundBody({ receipt: 'café ☃ 😀' })))
  t.equal(ok.receipt, 'café ☃ 😀')
})

t.test('the charset parameter picks the decoder', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  const latin1 = Buffer.from(JSON.stringify(refundBody({ receipt: 'ÿ' })), 'latin1')
  for (const charset of ['latin-1', 'ISO-8859-1', 'iso_8859_1', 'latin1', 'L1']) {
    const res = await postRefund(app, latin1, { 'content-type': `application/json; charset=${charset}` })
    t.equal(assertRefund(t, res).receipt, 'ÿ', charset)
  }
  const ascii = await postRefund(app, latin1, { 'content-type': 'application/json; charset=US-ASCII' })
  assertDetail(t, ascii, 400, `JSON parse error - 'ascii' codec can't decode byte 0xff in position ${latin1.indexOf(0xff)}: ordinal not in range(128)`)
  t.equal(assertRefund(t, await postRefund(app, Buffer.from(JSON.stringify(refundBody())), { 'content-type': 'application/json; charset=ascii' })).receipt, 'R-1')
  const utf8 = await postRefund(app, latin1, { 'content-type': 'application/json; charset=UTF8' })
  t.equal(utf8.statusCode, 400)
})

t.test('nesting: DRF crashes past ~960 levels; the emulator answers 400 past MAX_NESTING_DEPTH', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)
  const deepest = `{"payment":7,"amount":1,"reason":"duplicate","receipt":"R","metadata":{"a":${nested(MAX_NESTING_DEPTH - 2)}}}`
  const ok = assertRefund(t, await postRefund(app, deepest))
  t.equal(JSON.stringify(ok.metadata).length, 6 + 2 * (MAX_NESTING_DEPTH - 2))
  const tooDeep = `{"zzz":${nested(MAX_NESTING_DEPTH)}}`
  assertDetail(t, await postRefund(app, tooDeep), 400, `JSON parse error - nesting deeper than ${MAX_NESTING_DEPTH} levels`)
  assertDetail(t, await postRefund(app, `{"x":${nested(100_000)}}`), 400, /nesting deeper/)
  // brackets inside strings do not count
  const inString = JSON.stringify(refundBody({ receipt: 'R', note: '['.repeat(60), metadata: { s: '{'.repeat(5000) + '\\"' } }))
  assertRefund(t, await postRefund(app, inString))
})

t.test('bodies over 1 MiB: 413; exactly at the limit: parsed', async t => {
  const { app } = await build(t)
  const big = JSON.stringify({ metadata: { pad: 'x'.repeat(1024 * 1024) } })
  assertDetail(t, await postRefund(app, big), 413, 'Request body is larger than the 1048576 bytes allowed.')
  const frame = JSON.stringify({ pad: '' })
  const atLimit = JSON.stringify({ pad: 'x'.repeat(1024 * 1024 - frame.length) })
  t.equal(Buffer.byteLength(atLimit), 1024 * 1024)
  assertInvalid(t, await postRefund(app, atLimit), REQUIRED)
  // authentication still comes first
  const res = await app.inject({ method: 'POST', url: '/refunds/', headers: { 'content-type': 'application/json' }, payload: big })
  t.equal(res.statusCode, 401)
})

t.test('a body shorter than its Content-Length', async t => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'POST', url: '/refunds/', headers: { authorization: 'Token t', 'x-simple-workspace': 'acc_1', 'content-type': 'application/json', 'content-length': '10' }, payload: '{}' })
  assertDetail(t, res, 400, 'Request body size did not match Content-Length.')
})

t.test('unknown and read-only fields are ignored; keys like __proto__ are only unknown fields', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  const res = await postRefund(app, '{"payment":7,"amount":1,"reason":"duplicate","receipt":"R","id":"ref_mine","balance":5,"status":"failed","created":"x","updated":"y","__proto__":{"note":"x"},"constructor":1,"zzz":[1]}')
  const body = assertRefund(t, res)
  t.not(body.id, 'ref_mine')
  t.equal(body.balance, 99)
  t.equal(body.status, 'succeeded')
  t.equal(body.note, null)
  t.not(body.created, 'x')
  const missing = await postRefund(app, '{"__proto__":{"payment":7,"amount":1,"reason":"duplicate","receipt":"R"}}')
  assertInvalid(t, missing, REQUIRED)
})
