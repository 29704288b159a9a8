// Development tool, not part of `npm test`: asks DRF itself (drf-parse.py) how it reads a fixed set of bodies —
// every class the emulator's body reader must get right — and writes test/drf/fixtures/drf-bodies.json, which
// test/drf/body.test.ts replays against the emulator. Needs Debian's python3-djangorestframework.
//
//   npx tsx test/oracle/make-json-fixtures.ts
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { drfParser, randomCase, reseed, type Case } from './body-cases.js'

const JSON_TYPE = 'application/json'
const text = (body: string, contentType = JSON_TYPE): Case => ({ body: Buffer.from(body), contentType })

// malformed documents of every kind json.decoder reports, positions after astral characters and newlines
const MALFORMED = ['{', '}', '[', ']', '{"a"', '{"a":', '{"a":1', '{"a":1,', '{"a":1,}', '[1,]', '[1 2]', '{"a" 1}', '{a:1}', "{'a':1}",
  '{"a":1}}', '{"a":1} x', '[1]]', 'nul', 'tru', 'fals', 'NaN', 'Infinity', '-Infinity', '{"a":NaN}', '{"a":-Infinity}', '[Infinity]',
  '-', '-x', '01', '1.', '.5', '1e', '1e+', '"abc', '"a\\', '"\\x"', '"\\u12"', '"\\u12g4"', '"\\u1234', '"\\ud800\\u12"',
  '"\\ud800\\u12g4"', '"a\nb"', '"\t"', '{"a":"x\u0001"}', '\ufeff{}', ' ', '\n\n{"a":\n1,\n"b":}', '{"😀😀":x}', '["é", 😀]',
  '[[[[[]]]]', '{"a":{"b":[1,{"c":}]}}', '[1,,2]', '{,}', '{"a":1 "b":2}', '"\\', `{"n":${'1'.repeat(4301)}}`, '[1e99999, -1e99999]']

// values JavaScript's JSON.parse would read differently
const PYTHON = ['1.0', '-0.0', '-0', '0.0', '1e20', '1E+2', '1e-06', '1e-7', '0.0001', '0.00001', '1e16', '1e15', '9999999999999999.0',
  '12345678901234567890', '-12345678901234567890', '9223372036854775808', `${'9'.repeat(4300)}`, '1e400', '-1e400',
  '0.30000000000000004', '123456789012345678901234567890.5', '[1.0, -0.0, 12345678901234567890]', '{"2": 1, "1": 2, "b": 3}',
  '{"a": 1, "b": 2, "a": 3.0}', '{"b": {"2": [1, {"1": 1e20, "0": -0.0}]}, "a": 1}', '"\\ud800"', '"a\\udc00b"', '"\\ud83d\\ude00"',
  '"\\ud83d\\u0041"', '{"\\ud800": 1}', '"\\u00e9\\u2028\\u0000"', '"\\/\\b\\f\\n\\r\\t"', ' \t\n\r{"a": []} \r\n']

const good = '{"payment":7,"amount":"12.50","reason":"duplicate","receipt":"R-é","note":"€","metadata":{"2":"x","1":1.0}}'
const utf32 = (s: string, bom: boolean, le = true): Buffer => {
  const cps = [...s].map(c => c.codePointAt(0) as number)
  if (bom) cps.unshift(0xfeff)
  const b = Buffer.alloc(4 * cps.length)
  cps.forEach((cp, i) => le ? b.writeUInt32LE(cp, 4 * i) : b.writeUInt32BE(cp, 4 * i))
  return b
}
const CHARSETS: Array<[string, Buffer]> = [
  ['utf-16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(good, 'utf16le')])],
  ['UTF-16', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(good, 'utf16le').swap16()])],
  ['utf-16', Buffer.from(good, 'utf16le')],
  ['utf16', Buffer.from('{}', 'utf16le')],
  ['utf-16', Buffer.from([0x7b])],
  ['utf-16le', Buffer.from(good, 'utf16le')],
  ['UTF-16LE', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(good, 'utf16le')])],
  ['utf-16-le', Buffer.concat([Buffer.from(good, 'utf16le'), Buffer.from([0x20])])],
  ['utf-16le', Buffer.concat([Buffer.from('{"a":"', 'utf16le'), Buffer.from([0x00, 0xdc]), Buffer.from('"}', 'utf16le')])],
  ['utf-16le', Buffer.concat([Buffer.from('{"a":"', 'utf16le'), Buffer.from([0x00, 0xd8, 0x41, 0x00]), Buffer.from('"}', 'utf16le')])],
  ['utf-16be', Buffer.from(good, 'utf16le').swap16()],
  ['utf-32', utf32(good, true)],
  ['utf-32', utf32(good, true, false)],
  ['utf-32', utf32(good, false)],
  ['utf-32le', utf32(good, false)],
  ['UTF-32BE', utf32('{"a":"\u{1f600}"}', false, false)],
  ['utf-32le', Buffer.concat([utf32('{"a":"', false), Buffer.from([0x00, 0xd8, 0x00, 0x00])])],
  ['utf-32le', Buffer.concat([utf32('{"a":"', false), Buffer.from([0x00, 0x00, 0x11, 0x00])])],
  ['utf-8-sig', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(good)])],
  ['utf_8_sig', Buffer.from(good)],
  ['utf-8-sig', Buffer.from([0xef, 0xbb, 0xbf, 0xff])],
  ['utf-8', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(good)])],
  ['u8', Buffer.from(good)],
  [' UTF--8 ', Buffer.from(good)],
  ['cp1252', Buffer.from(good.replace('€', '\x80'), 'latin1')],
  ['windows-1252', Buffer.from('{"receipt":"a\x81"}', 'latin1')],
  ['iso-8859-2', Buffer.from('{"receipt":"\xa1\xb1"}', 'latin1')],
  ['ISO_8859-15', Buffer.from('{"receipt":"\xa4"}', 'latin1')],
  ['latin1', Buffer.from('{"receipt":"\xff\x80"}', 'latin1')],
  ['koi8-r', Buffer.from('{"receipt":"\xc1\xc2"}', 'latin1')],
  ['cp037', Buffer.from('{"a":1}', 'latin1')],
  ['mac-roman', Buffer.from('{"receipt":"\x80"}', 'latin1')],
  ['us-ascii', Buffer.from('{"receipt":"\x80"}', 'latin1')],
  ['ascii', Buffer.from('{"receipt":"ok"}')],
  ['charmap', Buffer.from('{"receipt":"\xe9"}', 'latin1')],
  ['undefined', Buffer.from(good)],
  ['x-unknown', Buffer.from(good)],
  ['shift_jis', Buffer.from(good.replace(/[^\x20-\x7e]/g, ''))],
  ['iso-2022-jp', Buffer.from('{"a":1}')],
  ['"utf-16"', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{}', 'utf16le')])]
]

const cases: Case[] = [
  ...MALFORMED.map(t => text(t)),
  ...PYTHON.map(t => text(t)),
  ...PYTHON.map(t => text(`{"metadata": ${t}, "receipt": ${t}}`)),
  ...CHARSETS.map(([charset, body]) => ({ body, contentType: `${JSON_TYPE}; charset=${charset}` })),
  ...[[0xff], [0xc0, 0xaf], [0xe2, 0x28, 0xa1], [0xe2, 0x82, 0x28], [0xed, 0xa0, 0x80], [0xf0, 0x90, 0x41], [0xf0, 0x90, 0x80, 0x41], [0xe2, 0x82]]
    .map(bytes => ({ body: Buffer.concat([Buffer.from('{"receipt":"'), Buffer.from(bytes), Buffer.from('"}')]), contentType: JSON_TYPE }))
]
reseed(42)
for (let i = 0; i < 400; i++) {
  const c = randomCase()
  if (c.body.length > 0) cases.push(c)
}

const drf = drfParser()
const fixtures = []
for (const c of cases) {
  const expect = await drf.ask(c)
  fixtures.push({ body: c.body.toString('base64'), content_type: c.contentType, ...expect })
}
drf.close()
const out = fileURLToPath(new URL('../drf/fixtures/drf-bodies.json', import.meta.url))
writeFileSync(out, JSON.stringify(fixtures, null, 1) + '\n')
console.log(`${fixtures.length} bodies written to ${out}`)
