// DRF's field rules one by one, without HTTP: what each field makes of a JSON value (expected texts as DRF's
// rest_framework/fields.py and relations.py give them, checked against a real DRF app).
import t from 'tap'
import { AMOUNT, NOTE, RECEIPT } from '../../src/domain.js'
import { charField, choiceField, decimalField, dictField, formatMinorUnits, integerField, MISSING, primaryKeyField } from '../../src/drf/fields.js'

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
  t.strictSame(charField(12.5, RECEIPT), ok('12.5'), 'numbers through str()')
  t.strictSame(charField(1e16, RECEIPT), ok('10000000000000000'), 'an integral number is an int to JSON.parse')
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
  t.strictSame(choiceField({ a: [1, null] }, reasons, true), fail('"{\'a\': [1, None]}" is not a valid choice.'))
  t.strictSame(choiceField(MISSING, reasons, false), ok(null))
})

t.test('DecimalField(15, 2, min_value=0.01) in minor units', async t => {
  const cases: Array<[unknown, ReturnType<typeof decimalField>]> = [
    ['12.50', ok(1250)], [12.5, ok(1250)], ['1e2', ok(10000)], [' 7 ', ok(700)], ['0.01', ok(1)], ['٣', ok(300)],
    ['12.555', fail('Ensure that there are no more than 2 decimal places.')],
    ['1234567890123.45', ok(123456789012345)],
    ['12345678901234.56', fail('Ensure that there are no more than 15 digits in total.')],
    ['12345678901234.5', fail('Ensure that there are no more than 13 digits before the decimal point.')],
    ['12345678901234', fail('Ensure that there are no more than 13 digits before the decimal point.')],
    [0.30000000000000004, fail('Ensure that there are no more than 15 digits in total.')],
    ['0', fail('Ensure this value is greater than or equal to 0.01.')],
    ['-1', fail('Ensure this value is greater than or equal to 0.01.')],
    ['NaN', fail('A valid number is required.')], ['', fail('A valid number is required.')], [true, fail('A valid number is required.')],
    ['1'.repeat(1001), fail('String value too large.')], [null, fail('This field may not be null.')], [MISSING, fail('This field is required.')]
  ]
  for (const [input, expected] of cases) t.strictSame(decimalField(input, AMOUNT), expected, JSON.stringify(input)?.slice(0, 40) ?? 'missing')
  t.equal(formatMinorUnits(1), '0.01')
  t.equal(formatMinorUnits(123456), '1234.56')
})

t.test('IntegerField and the primary key of a payment', async t => {
  const opts = { min: 1, max: 10, required: false }
  t.strictSame(integerField('5.00 ', opts), ok(5), 'int(re.sub(r"\\.0*\\s*$", "", str(data)))')
  t.strictSame(integerField(5.5, opts), fail('A valid integer is required.'))
  t.strictSame(integerField('11', opts), fail('Ensure this value is less than or equal to 10.'))
  t.strictSame(integerField('0', opts), fail('Ensure this value is greater than or equal to 1.'))
  t.strictSame(integerField(MISSING, opts), ok(null))
  t.strictSame(integerField('1'.repeat(1001), opts), fail('String value too large.'))
  t.strictSame(primaryKeyField(' 12 '), { ok: true, id: 12, input: ' 12 ' })
  t.strictSame(primaryKeyField(1e20), { ok: true, id: null, input: 1e20 }, 'beyond any id: a lookup that finds nothing')
  t.strictSame(primaryKeyField(''), fail('This field may not be null.'))
  t.strictSame(primaryKeyField(12.5), fail('Incorrect type. Expected pk value, received float.'))
  t.strictSame(primaryKeyField('12.0'), fail('Incorrect type. Expected pk value, received str.'))
  t.strictSame(primaryKeyField(false), fail('Incorrect type. Expected pk value, received bool.'))
})

t.test('DictField', async t => {
  t.strictSame(dictField({ a: [1] }, false), ok({ a: [1] }))
  t.strictSame(dictField(MISSING, false), ok(null))
  t.strictSame(dictField([], false), fail('Expected a dictionary of items but got type "list".'))
  t.strictSame(dictField('x', false), fail('Expected a dictionary of items but got type "str".'))
  t.strictSame(dictField({ a: { b: [Infinity] } }, false), fail('Value must be valid JSON.'), '1e400 parses to an infinity JSON cannot carry')
})
