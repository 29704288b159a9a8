// DRF's field rules one by one, without HTTP: what each field makes of a JSON value (expected texts as DRF's
// rest_framework/fields.py and relations.py give them, checked against a real DRF app).
import t from 'tap'
import { AMOUNT, NOTE, RECEIPT } from '../../src/domain.js'
import { charField, choiceField, decimalField, dictField, formatMinorUnits, integerField, MISSING, primaryKeyField, unrenderable } from '../../src/drf/fields.js'
import { dumps, loads, PyFloat, type PyDict, type PyValue } from '../../src/python/json.js'

const ok = <T>(value: T) => ({ ok: true as const, value })
const fail = (...errors: string[]) => ({ ok: false as const, errors })

t.test('CharField: empty values, trimming, length in code points, forbidden characters', async t => {
  t.strictSame(charField(MISSING, RECEIPT), fail('This field is required.'))
  t.strictSame(charField(MISSING, NOTE), ok(null), 'an optional field left out')
  t.strictSame(charField(null, RECEIPT), fail('This field may not be null.'))
  t.strictSame(charField(null, NOTE), ok(null))
  t.strictSame(charField(' \u00a0\u3000', RECEIPT), fail('This field may not be blank.'), 'Python strips NBSP and ideographic spaces')
  t.strictSame(charField('  ', NOTE), ok(''), 'blank is allowed where allow_blank is')
  t.strictSame(charField('\ufeffR', RECEIPT), ok('\ufeffR'), 'a BOM is not whitespace')
  t.strictSame(charField('  R-1 \n', RECEIPT), ok('R-1'))
  t.strictSame(charField(new PyFloat(12.5), RECEIPT), ok('12.5'), 'numbers through str()')
  t.strictSame(charField(new PyFloat(1e16), RECEIPT), ok('1e+16'))
  t.strictSame(charField(new PyFloat(1), RECEIPT), ok('1.0'))
  t.strictSame(charField(12345678901234567890n, RECEIPT), ok('12345678901234567890'))
  t.strictSame(charField(true, RECEIPT), fail('Not a valid string.'))
  t.strictSame(charField(['a'], RECEIPT), fail('Not a valid string.'))
  t.strictSame(charField('😀'.repeat(64), NOTE), ok('😀'.repeat(64)), '64 emoji are 64 characters, not 128')
  t.strictSame(charField('x'.repeat(65), NOTE), fail('Ensure this field has no more than 64 characters.'))
  t.strictSame(charField('a\u0000b', NOTE), fail('Null characters are not allowed.'))
  t.strictSame(charField('a\ud800b', NOTE), fail('Surrogate characters are not allowed: U+D800.'))
  t.strictSame(charField(`${'x'.repeat(65)}\u0000\udfff`, NOTE),
    fail('Ensure this field has no more than 64 characters.', 'Null characters are not allowed.', 'Surrogate characters are not allowed: U+DFFF.'),
    'every validator\'s message, in order')
})

t.test('ChoiceField: matched on str() of the value', async t => {
  const reasons = ['duplicate', 'fraudulent'] as const
  t.strictSame(choiceField('duplicate', reasons, true), ok('duplicate'))
  t.strictSame(choiceField('Duplicate', reasons, true), fail('"Duplicate" is not a valid choice.'))
  t.strictSame(choiceField(true, reasons, true), fail('"True" is not a valid choice.'))
  t.strictSame(choiceField(loads('{"a": [1, null, 1.0]}'), reasons, true), fail('"{\'a\': [1, None, 1.0]}" is not a valid choice.'))
  t.strictSame(choiceField(new PyFloat(-0), reasons, true), fail('"-0.0" is not a valid choice.'))
  t.strictSame(choiceField(MISSING, reasons, false), ok(null))
})

t.test('DecimalField(15, 2, min_value=0.01) in minor units', async t => {
  const cases: Array<[PyValue, ReturnType<typeof decimalField>]> = [
    ['12.50', ok(1250)], [new PyFloat(12.5), ok(1250)], [new PyFloat(12.5e1), ok(12500)], ['1e2', ok(10000)], [' 7 ', ok(700)], ['0.01', ok(1)], ['٣', ok(300)],
    ['12.555', fail('Ensure that there are no more than 2 decimal places.')],
    ['1234567890123.45', ok(123456789012345)],
    ['12345678901234.56', fail('Ensure that there are no more than 15 digits in total.')],
    ['12345678901234.5', fail('Ensure that there are no more than 13 digits before the decimal point.')],
    ['12345678901234', fail('Ensure that there are no more than 13 digits before the decimal point.')],
    [new PyFloat(0.30000000000000004), fail('Ensure that there are no more than 15 digits in total.')],
    ['0', fail('Ensure this value is greater than or equal to 0.01.')],
    ['-1', fail('Ensure this value is greater than or equal to 0.01.')],
    ['NaN', fail('A valid number is required.')], ['', fail('A valid number is required.')], [true, fail('A valid number is required.')],
    ['1'.repeat(1001), fail('String value too large.')], [null, fail('This field may not be null.')]
  ]
  for (const [input, expected] of cases) t.strictSame(decimalField(input, AMOUNT), expected, dumps(input).slice(0, 40))
  t.strictSame(decimalField(MISSING, AMOUNT), fail('This field is required.'))
  t.equal(formatMinorUnits(1), '0.01')
  t.equal(formatMinorUnits(123456), '1234.56')
})

t.test('IntegerField and the primary key of a payment', async t => {
  const opts = { min: 1, max: 10, required: false }
  t.strictSame(integerField('5.00 ', opts), ok(5), 'int(re.sub(r"\\.0*\\s*$", "", str(data)))')
  t.strictSame(integerField(new PyFloat(5.5), opts), fail('A valid integer is required.'))
  t.strictSame(integerField(new PyFloat(5), opts), ok(5), 'str(5.0) is "5.0", and .0 is dropped')
  t.strictSame(integerField(true, opts), fail('A valid integer is required.'))
  t.strictSame(integerField(10n ** 20n, opts), fail('Ensure this value is less than or equal to 10.'))
  t.strictSame(integerField(-(10n ** 20n), opts), fail('Ensure this value is greater than or equal to 1.'))
  t.strictSame(integerField('11', opts), fail('Ensure this value is less than or equal to 10.'))
  t.strictSame(integerField('0', opts), fail('Ensure this value is greater than or equal to 1.'))
  t.strictSame(integerField(MISSING, opts), ok(null))
  t.strictSame(integerField('1'.repeat(1001), opts), fail('String value too large.'))
  t.strictSame(primaryKeyField(' 12 '), { ok: true, id: 12, input: ' 12 ' })
  const big = new PyFloat(1e20)
  t.strictSame(primaryKeyField(big), { ok: true, id: null, input: big }, 'beyond any id: a lookup that finds nothing')
  const seven = new PyFloat(7)
  t.strictSame(primaryKeyField(seven), { ok: true, id: 7, input: seven }, 'int(7.0) is 7')
  t.strictSame(primaryKeyField(2n ** 70n), { ok: true, id: null, input: 2n ** 70n })
  t.strictSame(primaryKeyField(''), fail('This field may not be null.'))
  t.strictSame(primaryKeyField(new PyFloat(12.5)), fail('Incorrect type. Expected pk value, received float.'))
  t.strictSame(primaryKeyField(new PyFloat(Infinity)), fail('Incorrect type. Expected pk value, received float.'))
  t.strictSame(primaryKeyField('12.0'), fail('Incorrect type. Expected pk value, received str.'))
  t.strictSame(primaryKeyField(false), fail('Incorrect type. Expected pk value, received bool.'))
})

t.test('DictField', async t => {
  const dict = loads('{"b": 1, "a": [1.0]}')
  t.strictSame(dictField(dict, false), ok(dict))
  t.strictSame(dictField(MISSING, false), ok(null))
  t.strictSame(dictField([], false), fail('Expected a dictionary of items but got type "list".'))
  t.strictSame(dictField('x', false), fail('Expected a dictionary of items but got type "str".'))
  // what DRF accepts here but then cannot store or render (a 500 there, a 400 here)
  t.equal(unrenderable(loads('{"a": {"b": [1e400]}}') as PyDict), 'Value must be valid JSON.', '1e400 parses to an infinity JSON cannot carry')
  t.equal(unrenderable(loads(String.raw`{"a": ["\udc00x"]}`) as PyDict), 'Surrogate characters are not allowed: U+DC00.', 'DRF cannot render it')
  t.equal(unrenderable(loads(String.raw`{"\ud800": 1}`) as PyDict), 'Surrogate characters are not allowed: U+D800.')
  t.equal(unrenderable(loads(String.raw`{"\ud83d\ude00": [1e300, "\u00e9"]}`) as PyDict), null)
})
