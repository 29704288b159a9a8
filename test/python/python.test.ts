// Python's str()/repr()/int()/Decimal() as the emulator reproduces them; expected values printed by CPython 3.11.
import t from 'tap'
import fc from 'fast-check'
import { asciiDigits, dropZeroFraction, pyDecimal, pyIntFromString, pyRepr, pyStr, pyStrip, pyTypeName } from '../../src/python/python.js'
import { utf8Problem } from '../../src/python/charsets.js'
import { loads, PyFloat, pyFloatRepr } from '../../src/python/json.js'

t.test('repr(float)', async t => {
  const cases: Array<[number, string]> = [[0, '0.0'], [-0, '-0.0'], [1.5, '1.5'], [-1.5, '-1.5'], [100, '100.0'], [0.1, '0.1'], [1e-4, '0.0001'],
    [1.5e-5, '1.5e-05'], [1e-7, '1e-07'], [1e16, '1e+16'], [1.2345e16, '1.2345e+16'], [123456789012345.6, '123456789012345.6'], [1e22, '1e+22'],
    [0.30000000000000004, '0.30000000000000004'], [5e-324, '5e-324'], [1.7976931348623157e308, '1.7976931348623157e+308'], [-2.5e20, '-2.5e+20'], [-1e-5, '-1e-05'], [1e15, '1000000000000000.0'], [Infinity, 'inf'], [-Infinity, '-inf'], [NaN, 'nan']]
  for (const [x, repr] of cases) t.equal(pyFloatRepr(x), repr, String(x))
})

t.test('str() and repr() of values', async t => {
  t.equal(pyStr(null), 'None')
  t.equal(pyStr(true), 'True')
  t.equal(pyStr(7), '7')
  t.equal(pyStr(12345678901234567890n), '12345678901234567890', 'ints of any size, exactly')
  t.equal(pyStr(new PyFloat(2.5)), '2.5')
  t.equal(pyStr(new PyFloat(1)), '1.0', 'a float stays a float')
  t.equal(pyStr(new PyFloat(1e21)), '1e+21')
  t.equal(pyStr('x'), 'x')
  t.equal(pyRepr(loads('[1, "a", null, false, 2.5, [], {}]')), "[1, 'a', None, False, 2.5, [], {}]")
  t.equal(pyRepr(loads(String.raw`{"a": {"b": [1]}, "it's": "say \"hi\""}`)), '{\'a\': {\'b\': [1]}, "it\'s": \'say "hi"\'}')
  t.equal(pyRepr(loads('{"2": 1, "1": 2.0, "2": 3}')), "{'2': 3, '1': 2.0}", 'insertion order; a repeated key keeps its place, takes the last value')
  t.equal(pyRepr('both \' and "'), '\'both \\\' and "\'')
  t.equal(pyRepr('\\ \n\r\t\u0000\u007f\u0085\u00a0\u00e9\u200b\u2028\uffff\ud800😀\u{e0001}\u{f0000}'),
    "'\\\\ \\n\\r\\t\\x00\\x7f\\x85\\xa0é\\u200b\\u2028\\uffff\\ud800😀\\U000e0001\\U000f0000'")
})

t.test('type names', async t => {
  t.strictSame([null, true, 1, 10n ** 20n, new PyFloat(1.5), 'x', [], new Map()].map(pyTypeName), ['NoneType', 'bool', 'int', 'int', 'float', 'str', 'list', 'dict'])
})

t.test('str.strip()', async t => {
  t.equal(pyStrip('plain'), 'plain')
  t.equal(pyStrip(''), '')
  t.equal(pyStrip(' \t\n\v\f\r\u001c\u001d\u001e\u001f\u0085\u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000x y\u3000 '), 'x y')
  t.equal(pyStrip('\ufeffx\u200b'), '\ufeffx\u200b', 'BOM and zero-width space are not whitespace')
  t.equal(pyStrip('x '), 'x')
})

t.test('int(str)', async t => {
  const cases: Array<[string, number | null]> = [['7', 7], [' 7 ', 7], ['+7', 7], ['-7', -7], ['07', 7], ['1_000', 1000], ['\u00a07\u2028', 7], ['\u0085 7', 7],
    ['٧', 7], ['𝟕', 7], ['१२', 12], ['9007199254740991', 9007199254740991], ['9007199254740992', Infinity], ['-9007199254740992', -Infinity],
    ['', null], [' ', null], ['_7', null], ['7_', null], ['1__0', null], ['7.0', null], ['1e1', null], ['0x10', null], ['\u001c7', null],
    ['\ufeff7', null], ['+-7', null], ['1'.repeat(4300), Infinity], ['1'.repeat(4301), null]]
  // labels are escaped: a raw U+2028 in a test name breaks the TAP stream
  for (const [s, value] of cases) t.equal(pyIntFromString(s), value, JSON.stringify(s).slice(0, 30).replace(/[\u2028\u2029]/g, '?'))
  t.equal(asciiDigits('a١b𝟗c'), 'a1b9c')
})

t.test('Decimal(str)', async t => {
  const cases: Array<[string, ReturnType<typeof pyDecimal>]> = [
    ['12.50', { negative: false, digits: '1250', exponent: -2 }],
    ['-0012.5', { negative: true, digits: '125', exponent: -1 }],
    ['0.00', { negative: false, digits: '0', exponent: -2 }],
    ['.5', { negative: false, digits: '5', exponent: -1 }],
    ['5.', { negative: false, digits: '5', exponent: 0 }],
    ['1E+2', { negative: false, digits: '1', exponent: 2 }],
    ['1_0e0_1', { negative: false, digits: '10', exponent: 1 }],
    [' \u3000١.٥ ', { negative: false, digits: '15', exponent: -1 }],
    ['1e-999999999999999999', { negative: false, digits: '1', exponent: -999999999999999999 }],
    ['1e9999999999999999999', null], ['NaN', null], ['Infinity', null], ['inf', null], ['', null], ['.', null], ['1 0', null], ['1e', null], ['--1', null]
  ]
  for (const [s, value] of cases) t.strictSame(pyDecimal(s), value, s)
})

t.test('CPython\'s UTF-8 decoder errors', async t => {
  t.strictSame(utf8Problem(Buffer.from('valid é ☃ 😀')), { validLength: Buffer.byteLength('valid é ☃ 😀') })
  t.strictSame(utf8Problem(Buffer.from([0x61, 0xc3, 0xa9, 0xe2, 0x98])), { validLength: 3 })
  t.strictSame(utf8Problem(Buffer.from([0xc3, 0xa9, 0xff])), { error: { ok: false, detail: "'utf-8' codec can't decode byte 0xff in position 2: invalid start byte" } })
})

t.test('the linear strips agree with the regular expressions they replaced', async t => {
  // the patterns as they were (quadratic on a long run of whitespace that does not reach the end)
  const space = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000'
  // eslint-disable-next-line regexp/no-super-linear-move -- the old pattern itself, kept as the reference
  const strip = new RegExp(`^[${space}]+|[${space}]+$`, 'g')
  const zeroFraction = new RegExp(`\\.0*[${space}]*$`)
  const interesting = fc.constantFrom(' ', '\t', '\n', '\u000b', '\u001c', '\u001f', '\u0085', '\u00a0', '\u1680', '\u2000', '\u200a',
    '\u200b', '\u2028', '\u202f', '\u205f', '\u3000', '\ufeff', '0', '.', 'a', '€', 'é', '7')
  const text = fc.oneof(fc.string(), fc.array(interesting, { maxLength: 30 }).map(a => a.join('')), fc.string({ unit: 'binary' }))
  // fc.assert throws with the shrunk counterexample when a string strips differently
  fc.assert(fc.property(text, s => pyStrip(s) === s.replace(strip, '') && dropZeroFraction(s) === s.replace(zeroFraction, '')), { numRuns: 5000 })
  t.pass('5000 random strings strip as before')
  // every BMP unit on its own and between letters
  for (let c = 0; c < 0x10000; c++) {
    const s = `${String.fromCharCode(c)}x${String.fromCharCode(c)}`
    if (pyStrip(s) !== s.replace(strip, '')) t.fail(`U+${c.toString(16)}`)
  }
  t.pass('every UTF-16 unit strips as before')
})

t.test('stripping is linear in the length (a quadratic strip would run out of the test\'s time)', async t => {
  for (const first of ['a', 'é', '€']) {
    const s = `${first}${' '.repeat(1 << 20)}b`
    t.equal(pyStrip(s), s)
    t.equal(pyStrip(` ${s} `), s)
    t.equal(dropZeroFraction(`${first}${' '.repeat(1 << 20)}`), `${first}${' '.repeat(1 << 20)}`)
  }
})
