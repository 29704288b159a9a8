// The body reader against DRF itself: 571 bodies — malformed documents of every kind json.decoder reports, the
// values JavaScript reads differently (floats, big ints, key order, repeated keys, lone surrogates), every charset
// family with and without a BOM, bytes that do not decode — each with the answer DRF's JSONParser gave
// (fixtures/drf-bodies.json, written by test/oracle/make-json-fixtures.ts from a real DRF). Then properties of
// the value model: what loads reads, dumps writes back exactly, key order included.
import { readFileSync } from 'node:fs'
import t from 'tap'
import fc from 'fast-check'
import { dumps, escapeLineSeparators, indentedExtra, iterencode, LazyList, LazyValue, loads, PyFloat, RawJson, type Streamable, type PyValue } from '../../src/python/json.js'
import { lookupCodec } from '../../src/python/charsets.js'
import { parseJsonBody } from '../../src/drf/parse.js'

interface Fixture { body: string, content_type: string, value?: string, detail?: string, crash?: string }
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/drf-bodies.json', import.meta.url), 'utf8')) as Fixture[]

/** Python's json.dumps(ensure_ascii=True), from the emulator's compact text. */
const asciify = (text: string): string => text.replace(/[\u0080-\uffff]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)

// codecs Python has that the emulator does not decode (README, Fidelity): answered 415, never read wrongly
const UNSUPPORTED = new Set(['shift_jis', 'iso2022_jp', 'euc_jp', 'gbk', 'big5', 'hz', 'utf_7'])

t.test('every fixture reads as DRF read it', async t => {
  t.ok(fixtures.length > 500)
  let unsupported = 0
  for (const f of fixtures) {
    const label = `${f.content_type} ${JSON.stringify(Buffer.from(f.body, 'base64').toString('latin1')).slice(0, 80)}`
    const ours = parseJsonBody(Buffer.from(f.body, 'base64'), f.content_type)
    if (!ours.ok && ours.status === 415) {
      const charset = /charset=(.*)$/.exec(f.content_type)?.[1] ?? ''
      t.ok(UNSUPPORTED.has(lookupCodec(charset)?.module ?? ''), `${label}: only a codec the emulator does not decode is refused`)
      unsupported++
      continue
    }
    if (f.value !== undefined) t.equal(ours.ok ? asciify(dumps(ours.data)) : ours.detail, f.value, label)
    else t.equal(ours.ok ? 'read' : ours.detail, f.detail, label)
  }
  t.ok(unsupported < 50, `${unsupported} bodies in codecs the emulator does not decode`)
})

// a value of the model: ints of any size, floats (including -0.0 and the repr switch points), strings with
// escapes and astral characters, lists, dicts with integer-like keys
const key = fc.oneof(fc.constantFrom('0', '1', '2', '10', '01', '-1', '4294967295', 'a', 'b', ''), fc.string({ maxLength: 4 }))
const float = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(-0, 0, 1e16, 9.999999999999999e15, 1e-4, 9.9e-5, 0.1, 1))
const value: fc.Arbitrary<PyValue> = fc.letrec<{ v: PyValue }>(tie => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(b => b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b),
    float.map(x => new PyFloat(x)),
    fc.string({ unit: 'grapheme' }),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.uniqueArray(fc.tuple(key, tie('v')), { maxLength: 4, selector: ([k]) => k }).map(entries => new Map(entries))
  )
})).v

t.test('loads reads back exactly what dumps wrote, key order, floats and big ints included', async t => {
  fc.assert(fc.property(value, v => {
    const text = dumps(v)
    const back = loads(text)
    return dumps(back) === text && dumps(loads(dumps(back, 2))) === text
  }), { numRuns: 3000 })
  t.pass('3000 random values round-trip')
})

t.test('iterencode writes what dumps writes, a piece at a time; indentedExtra counts what indenting adds', async t => {
  fc.assert(fc.property(value, fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 64 }), (v, indent, chunk) => {
    const whole = escapeLineSeparators(dumps(v, indent))
    const pieces = [...iterencode(v, indent, chunk)]
    return pieces.join('') === whole && pieces.every(p => p !== '') &&
      (indent === 0 || dumps(v, indent).length === dumps(v).length + indentedExtra(v, indent))
  }), { numRuns: 3000 })
  t.pass('3000 random values, indents and piece sizes')
  // made as they are written: lists of items, values computed when reached, JSON text spliced in (and indented)
  let reached = 0
  const doc = new Map<string, Streamable>([
    ['items', new LazyList(function * () { yield new RawJson('{"a":[1,2.0]}'); reached++; yield 3 })],
    ['empty', new LazyList(function * () {})],
    ['later', new LazyValue(() => reached)]
  ])
  t.equal([...iterencode(doc)].join(''), '{"items":[{"a":[1,2.0]},3],"empty":[],"later":1}')
  t.equal([...iterencode(doc, 2)].join(''), '{\n  "items": [\n    {\n      "a": [\n        1,\n        2.0\n      ]\n    },\n    3\n  ],\n  "empty": [],\n  "later": 2\n}')
  t.equal([...iterencode('a\u2028b\u2029')].join(''), '"a\\u2028b\\u2029"', 'line separators escaped as DRF renders them')
})

t.test('where JSON.parse reads a document the same way, the model agrees with it', async t => {
  // no floats, no ints beyond 2^53, no integer-like keys: what the issue calls a provably equal document
  const plain: fc.Arbitrary<unknown> = fc.jsonValue().filter(v => {
    const text = JSON.stringify(v)
    return !/[.e]\d|\d{16}|"\d+":/i.test(text)
  })
  fc.assert(fc.property(plain, v => {
    const text = JSON.stringify(v)
    return JSON.stringify(JSON.parse(dumps(loads(text)))) === text
  }), { numRuns: 2000 })
  t.pass('2000 documents')
})

t.test('Python dict semantics for a repeated key, and money written as Python writes floats', async t => {
  t.equal(dumps(loads('{"a": 1, "b": 2, "a": 3.0}')), '{"a":3.0,"b":2}', 'the first place, the last value')
  t.equal(dumps(loads('{"2": 1, "1": 2}')), '{"2":1,"1":2}', 'integer-like keys keep their place')
  t.equal(loads('1234567890123456'), 1234567890123456, 'an int of 16 digits within 2^53 is a number')
  t.equal(loads('12345678901234567'), 12345678901234567n, 'beyond, a bigint')
  t.equal(loads('"\\u00E9\\u00e9"'), 'éé', 'hex digits in either case')
  t.equal(dumps(loads('[1e400, -1e400]')), '[Infinity,-Infinity]')
  t.equal(dumps(new PyFloat(25)), '25.0')
  t.equal(dumps(new PyFloat(12.5)), '12.5')
  t.equal(dumps(new PyFloat(1e16)), '1e+16')
  t.equal(dumps(loads('[1.0, {"a": []}]'), 4), '[\n    1.0,\n    {\n        "a": []\n    }\n]', 'indent as json.dumps(indent=4) writes it')
})
