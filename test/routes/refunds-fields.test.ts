// POST /refunds/ — field validation, every invalid field at once, keys in the spec's order, DRF's messages
// (rest_framework/fields.py, relations.py). Expected texts below were read from a real DRF app.
import t, { type Test } from 'tap'
import { assertInvalid, assertRefund, build, getPayment, createPayment, postRefund, refundBody } from '../helper.js'

const REQUIRED = 'This field is required.'
const NULL = 'This field may not be null.'
const NUMBER = 'A valid number is required.'
const NOT_STRING = 'Not a valid string.'

async function setup (t: Test) {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 1000 })
  return app
}

t.test('every invalid field is reported, in the spec\'s key order', async t => {
  const app = await setup(t)
  assertInvalid(t, await postRefund(app, {}), { payment: [REQUIRED], amount: [REQUIRED], reason: [REQUIRED], receipt: [REQUIRED] })
  assertInvalid(t, await postRefund(app, { metadata: true, note: true, receipt: true, reason: true, amount: true, payment: true }), {
    payment: ['Incorrect type. Expected pk value, received bool.'],
    amount: [NUMBER],
    reason: ['"True" is not a valid choice.'],
    note: [NOT_STRING],
    receipt: [NOT_STRING],
    metadata: ['Expected a dictionary of items but got type "bool".']
  })
  assertInvalid(t, await postRefund(app, { payment: null, amount: null, reason: null, receipt: null, note: null, metadata: null }), {
    payment: [NULL], amount: [NULL], reason: [NULL], receipt: [NULL], metadata: [NULL]
  })
  assertInvalid(t, await postRefund(app, { payment: '', amount: '', reason: '', receipt: '', note: '', metadata: '' }), {
    payment: [NULL], amount: [NUMBER], reason: ['"" is not a valid choice.'], receipt: ['This field may not be blank.'], metadata: ['Expected a dictionary of items but got type "str".']
  })
  assertInvalid(t, await postRefund(app, { payment: [1], amount: [1], reason: [1], receipt: [1], note: [1], metadata: [1] }), {
    payment: ['Incorrect type. Expected pk value, received list.'], amount: [NUMBER], reason: ['"[1]" is not a valid choice.'], note: [NOT_STRING], receipt: [NOT_STRING], metadata: ['Expected a dictionary of items but got type "list".']
  })
  assertInvalid(t, await postRefund(app, { payment: {}, amount: {}, reason: { a: 1 }, receipt: {}, note: {}, metadata: {} }), {
    payment: ['Incorrect type. Expected pk value, received dict.'], amount: [NUMBER], reason: ['"{\'a\': 1}" is not a valid choice.'], note: [NOT_STRING], receipt: [NOT_STRING]
  })
})

t.test('payment: a primary key of this partition', async t => {
  const app = await setup(t)
  await createPayment(app, { id: 12, amount: 5 })
  for (const payment of [7, '7', ' 7 ', '07', '+7', '\t7\n', '\u00a07\u00a0', '٧', 7.0]) {
    t.equal(assertRefund(t, await postRefund(app, refundBody({ payment }))).payment, 7, JSON.stringify(payment))
  }
  const incorrect: Array<[unknown, string]> = [[true, 'bool'], [false, 'bool'], ['abc', 'str'], ['7.0', 'str'], ['1e1', 'str'], ['_7', 'str'],
    ['7__0', 'str'], ['\u001c7', 'str'], ['\ufeff7', 'str'], ['1'.repeat(4301), 'str'], [[7], 'list'], [{}, 'dict'], [12.5, 'float'], [0.1, 'float']]
  for (const [payment, type] of incorrect) {
    assertInvalid(t, await postRefund(app, refundBody({ payment })), { payment: [`Incorrect type. Expected pk value, received ${type}.`] }, JSON.stringify(payment))
  }
  assertInvalid(t, await postRefund(app, '{"payment":1e400,"amount":1,"reason":"duplicate","receipt":"R"}'), { payment: ['Incorrect type. Expected pk value, received float.'] }, 'payment 1e400, which DRF crashes on')
  const missing: Array<[unknown, string]> = [[999, '999'], ['999', '999'], [-1, '-1'], [0, '0'], ['-7', '-7'],
    ['1_3', '1_3'], [9007199254740993, '9007199254740992'], ['9223372036854775808', '9223372036854775808'], [1e20, '100000000000000000000'], ['1'.repeat(4300), '1'.repeat(4300)]]
  for (const [payment, shown] of missing) {
    assertInvalid(t, await postRefund(app, refundBody({ payment })), { payment: [`Invalid pk "${shown}" - object does not exist.`] }, JSON.stringify(payment))
  }
  // " 12 " exists in this partition: found, and shown with its spaces when it is not
  t.equal(assertRefund(t, await postRefund(app, refundBody({ payment: ' 12 ' }))).payment, 12)
  assertInvalid(t, await postRefund(app, refundBody({ payment: ' 13 ' })), { payment: ['Invalid pk " 13 " - object does not exist.'] })
  // a payment of another partition does not exist here
  await createPayment(app, { id: 40, amount: 5, workspace: 'acc_2' })
  await createPayment(app, { id: 41, amount: 5, testMode: true })
  assertInvalid(t, await postRefund(app, refundBody({ payment: 40 })), { payment: ['Invalid pk "40" - object does not exist.'] })
  assertInvalid(t, await postRefund(app, refundBody({ payment: 41 })), { payment: ['Invalid pk "41" - object does not exist.'] })
  // a missing payment is reported together with the other invalid fields
  assertInvalid(t, await postRefund(app, refundBody({ payment: '999', amount: 'x', receipt: '' })), {
    payment: ['Invalid pk "999" - object does not exist.'], amount: [NUMBER], receipt: ['This field may not be blank.']
  })
  assertInvalid(t, await postRefund(app, refundBody({ payment: 7, amount: 'x' })), { amount: [NUMBER] })
  assertInvalid(t, await postRefund(app, refundBody({ payment: 1e20, amount: 'x' })), { payment: ['Invalid pk "100000000000000000000" - object does not exist.'], amount: [NUMBER] })
})

t.test('amount: DecimalField(max_digits=15, decimal_places=2, min_value=0.01)', async t => {
  const app = await setup(t)
  const accepted: Array<[unknown, number]> = [[12.5, 12.5], ['12.50', 12.5], [' 5 ', 5], ['\u00a05\u00a0', 5], ['+5', 5], ['.5', 0.5], ['5.', 5], ['5.e0', 5],
    ['1E1', 10], ['1e2', 100], ['100e-2', 1], ['1e-2', 0.01], ['1_0', 10], ['_10', 10], ['1__0', 10], ['1._5', 1.5], ['١٢', 12], ['0012.5', 12.5],
    [0.01, 0.01], ['0.01', 0.01], [1, 1], ['9.99', 9.99]]
  for (const [amount, value] of accepted) {
    t.equal(assertRefund(t, await postRefund(app, refundBody({ amount }))).amount, value, JSON.stringify(amount))
  }
  const refused: Array<[unknown, string]> = [
    [true, NUMBER], [false, NUMBER], ['', NUMBER], ['  ', NUMBER], ['abc', NUMBER], ['NaN', NUMBER], ['nan', NUMBER], ['sNaN', NUMBER], ['inf', NUMBER],
    ['Infinity', NUMBER], ['-Infinity', NUMBER], ['1 0', NUMBER], ['0x10', NUMBER], [[1], NUMBER], [{}, NUMBER], ['1e9999999999999999999', NUMBER],
    ['x'.repeat(1001), 'String value too large.'], [['1'.repeat(1000)], 'String value too large.'],
    ['0.30000000000000004', 'Ensure that there are no more than 15 digits in total.'],
    [0.30000000000000004, 'Ensure that there are no more than 15 digits in total.'],
    ['1234567890123456', 'Ensure that there are no more than 15 digits in total.'],
    ['-12345678901234567', 'Ensure that there are no more than 15 digits in total.'],
    ['1e20', 'Ensure that there are no more than 15 digits in total.'],
    ['12.5000', 'Ensure that there are no more than 2 decimal places.'],
    ['12.555', 'Ensure that there are no more than 2 decimal places.'],
    ['0.001', 'Ensure that there are no more than 2 decimal places.'],
    ['0.0000', 'Ensure that there are no more than 2 decimal places.'],
    [1e-7, 'Ensure that there are no more than 2 decimal places.'],
    ['-0.001', 'Ensure that there are no more than 2 decimal places.'],
    ['12345678901234', 'Ensure that there are no more than 13 digits before the decimal point.'],
    [123456789012345, 'Ensure that there are no more than 13 digits before the decimal point.'],
    [0, 'Ensure this value is greater than or equal to 0.01.'],
    [-0, 'Ensure this value is greater than or equal to 0.01.'],
    ['0.00', 'Ensure this value is greater than or equal to 0.01.'],
    ['-5', 'Ensure this value is greater than or equal to 0.01.'],
    [-0.5, 'Ensure this value is greater than or equal to 0.01.']
  ]
  for (const [amount, message] of refused) {
    assertInvalid(t, await postRefund(app, refundBody({ amount })), { amount: [message] }, JSON.stringify(amount)?.slice(0, 40))
  }
  assertInvalid(t, await postRefund(app, '{"payment":7,"amount":1e400,"reason":"duplicate","receipt":"R"}'), { amount: [NUMBER] }, 'amount 1e400')
})

t.test('reason: ChoiceField', async t => {
  const app = await setup(t)
  for (const reason of ['duplicate', 'fraudulent', 'requested_by_customer']) {
    t.equal(assertRefund(t, await postRefund(app, refundBody({ reason }))).reason, reason)
  }
  const refused: Array<[unknown, string]> = [['Duplicate', 'Duplicate'], ['duplicate ', 'duplicate '], ['x', 'x'], [1, '1'], [1.5, '1.5'], [1e16, '10000000000000000'], [1e-7, '1e-07'],
    [false, 'False'], [[1, 'a', null, true], "[1, 'a', None, True]"], [{ k: [{}] }, "{'k': [{}]}"], ["it's", "it's"], [["it's"], '["it\'s"]'],
    [['\n\t\u0000é\u200b😀'], "['\\n\\t\\x00é\\u200b😀']"], ['\ud800', '\ud800']]
  for (const [reason, shown] of refused) {
    assertInvalid(t, await postRefund(app, refundBody({ reason })), { reason: [`"${shown}" is not a valid choice.`] }, JSON.stringify(reason))
  }
})

t.test('receipt and note: CharField', async t => {
  const app = await setup(t)
  const created = assertRefund(t, await postRefund(app, refundBody({ receipt: '  R-9  ' })))
  t.equal(created.receipt, 'R-9')
  t.equal(created.note, null)
  t.equal(assertRefund(t, await postRefund(app, refundBody({ note: '' }))).note, '')
  t.equal(assertRefund(t, await postRefund(app, refundBody({ note: '  a  ' }))).note, 'a')
  t.equal(assertRefund(t, await postRefund(app, refundBody({ note: '   ' }))).note, '')
  t.equal(assertRefund(t, await postRefund(app, refundBody({ note: null }))).note, null)
  // numbers are text, written the way Python's str() writes what Python's json read (texts as DRF answered them)
  for (const [receipt, text] of [['15', '15'], ['1.5', '1.5'], ['1e16', '1e+16'], ['10000000000000000', '10000000000000000'], ['1e-7', '1e-07'],
    ['-0.5', '-0.5'], ['1e22', '1e+22'], ['1.0', '1.0'], ['-0.0', '-0.0'], ['12345678901234567890', '12345678901234567890']] as const) {
    const res = await postRefund(app, `{"payment":7,"amount":1,"reason":"duplicate","receipt":${receipt}}`)
    t.equal(assertRefund(t, res).receipt, text, receipt)
  }
  t.equal(assertRefund(t, await postRefund(app, refundBody({ receipt: '\u0085x\u0085\u1680' }))).receipt, 'x')
  t.equal(assertRefund(t, await postRefund(app, refundBody({ receipt: '\ufeff' }))).receipt, '\ufeff', 'U+FEFF is not whitespace to Python')
  t.equal(assertRefund(t, await postRefund(app, refundBody({ receipt: 'é'.repeat(256) }))).receipt, 'é'.repeat(256))
  t.equal(assertRefund(t, await postRefund(app, refundBody({ receipt: '😀'.repeat(256) }))).receipt, '😀'.repeat(256), 'length counts code points')
  t.equal(assertRefund(t, await postRefund(app, refundBody({ note: 'x'.repeat(64) }))).note, 'x'.repeat(64))
  t.equal(assertRefund(t, await postRefund(app, refundBody({ receipt: 'a\ud83d\ude00' }))).receipt, 'a😀')
  assertInvalid(t, await postRefund(app, refundBody({ receipt: '😀'.repeat(257) })), { receipt: ['Ensure this field has no more than 256 characters.'] })
  assertInvalid(t, await postRefund(app, refundBody({ receipt: ' \u001c\u2028 ' })), { receipt: ['This field may not be blank.'] })
  assertInvalid(t, await postRefund(app, refundBody({ receipt: 'a\u0000b' })), { receipt: ['Null characters are not allowed.'] })
  assertInvalid(t, await postRefund(app, refundBody({ receipt: 'a\ud83d' })), { receipt: ['Surrogate characters are not allowed: U+D83D.'] })
  assertInvalid(t, await postRefund(app, refundBody({ receipt: '\ud800\udc00\udbff' })), { receipt: ['Surrogate characters are not allowed: U+DBFF.'] })
  assertInvalid(t, await postRefund(app, refundBody({ receipt: '\udc00x' })), { receipt: ['Surrogate characters are not allowed: U+DC00.'] })
  assertInvalid(t, await postRefund(app, refundBody({ note: 'x'.repeat(65), receipt: '\u0000\ud800'.repeat(200) })), {
    note: ['Ensure this field has no more than 64 characters.'],
    receipt: ['Ensure this field has no more than 256 characters.', 'Null characters are not allowed.', 'Surrogate characters are not allowed: U+D800.']
  })
  assertInvalid(t, await postRefund(app, refundBody({ note: '\u0000\ud800'.repeat(40) })), {
    note: ['Ensure this field has no more than 64 characters.', 'Null characters are not allowed.', 'Surrogate characters are not allowed: U+D800.']
  })
  assertInvalid(t, await postRefund(app, refundBody({ receipt: undefined })), { receipt: [REQUIRED] })
})

t.test('metadata: DictField, default {}', async t => {
  const app = await setup(t)
  t.strictSame(assertRefund(t, await postRefund(app, refundBody())).metadata, {})
  const meta = { order: 'A-1', n: 2.5, nested: { list: [1, null, true, 'x', { a: [] }] }, '': 'empty key', __proto__: { own: true } }
  const text = JSON.stringify(refundBody({ metadata: { order: 'A-1', n: 2.5, nested: { list: [1, null, true, 'x', { a: [] }] }, '': 'empty key' } })).replace('"empty key"}', '"empty key","__proto__":{"own":true}}')
  const res = await postRefund(app, text)
  const body = assertRefund(t, res)
  t.ok(res.body.includes('"__proto__":{"own":true}'), 'own __proto__ key kept')
  t.equal(JSON.stringify(body.metadata).length, JSON.stringify(JSON.parse(text).metadata).length)
  t.equal((body.metadata as Record<string, unknown>).order, meta.order)
  for (const [metadata, type] of [[[], 'list'], ['x', 'str'], [1, 'int'], [1.5, 'float'], [true, 'bool']] as const) {
    assertInvalid(t, await postRefund(app, refundBody({ metadata })), { metadata: [`Expected a dictionary of items but got type "${type}".`] })
  }
  // values JSON cannot carry back (DRF's database refuses them: a 500 there)
  assertInvalid(t, await postRefund(app, '{"payment":7,"amount":1,"reason":"duplicate","receipt":"R","metadata":{"a":[1e400]}}'), { metadata: ['Value must be valid JSON.'] })
  // the client's key order, floats and big ints come back as sent (DRF's answer for the same body)
  const ordered = await postRefund(app, '{"payment":7,"amount":1,"reason":"duplicate","receipt":"R","metadata":{"2":1,"1":[1.0,-0.0,12345678901234567890],"b":{"0":1e20,"x":1e-7},"2":4}}')
  assertRefund(t, ordered)
  t.ok(ordered.body.includes('"metadata":{"2":4,"1":[1.0,-0.0,12345678901234567890],"b":{"0":1e+20,"x":1e-07}}'), ordered.body)
  // a lone surrogate in a key or value: DRF stores the refund and then cannot render it (a 500); here a 400, nothing
  // stored — but only where DRF would have got that far: other fields' errors and the balance rule come first
  const lone = '"metadata":{"a":["\\udfff"],"\\ud800":1}'
  assertInvalid(t, await postRefund(app, `{"payment":7,"amount":1,"reason":"duplicate","receipt":"R",${lone}}`), { metadata: ['Surrogate characters are not allowed: U+DFFF.'] })
  assertInvalid(t, await postRefund(app, `{"payment":7,"amount":1,"reason":"x","receipt":"R",${lone}}`), { reason: ['"x" is not a valid choice.'] })
  assertInvalid(t, await postRefund(app, `{"payment":7.0,"amount":1,"reason":"duplicate","receipt":"R",${lone}}`, { 'x-simple-workspace': 'acc_2' }), { payment: ['Invalid pk "7.0" - object does not exist.'] })
  const left = ((await getPayment(app, 7)).json() as { balance: number }).balance
  assertInvalid(t, await postRefund(app, `{"payment":7,"amount":1000000,"reason":"duplicate","receipt":"R",${lone}}`), {
    amount: [`Ensure this value is less than or equal to the payment's remaining refundable balance of ${left.toFixed(2)}.`]
  })
})

t.test('metadata: at most 256 KiB as JSON (a piriod-mock limit), a field error among the others', async t => {
  const app = await setup(t)
  const limit = 256 * 1024
  // {"k":"…"} is 8 bytes around the value; multibyte characters count as their UTF-8 bytes
  assertRefund(t, await postRefund(app, refundBody({ metadata: { k: 'x'.repeat(limit - 8) } })))
  const tooLarge = { metadata: ['Ensure this field has no more than 262144 bytes when written as JSON (a piriod-mock limit).'] }
  assertInvalid(t, await postRefund(app, refundBody({ metadata: { k: 'x'.repeat(limit - 7) } })), tooLarge)
  assertInvalid(t, await postRefund(app, refundBody({ metadata: { k: '€'.repeat(Math.ceil(limit / 3)) } })), tooLarge)
  assertInvalid(t, await postRefund(app, refundBody({ reason: 'x', metadata: { k: 'x'.repeat(limit) } })), { reason: ['"x" is not a valid choice.'], ...tooLarge })
  t.equal(((await getPayment(app, 7)).json() as { refunds: unknown[] }).refunds.length, 1, 'nothing stored by the refused ones')
})

t.test('U+2028 and U+2029 are escaped in answers, as DRF does', async t => {
  const app = await setup(t)
  const res = await postRefund(app, refundBody({ receipt: 'a\u2028b', note: 'c\u2029d' }))
  assertRefund(t, res)
  t.ok(res.body.includes('"receipt":"a\\u2028b"'))
  t.ok(res.body.includes('"note":"c\\u2029d"'))
  t.notOk(/[\u2028\u2029]/.test(res.body))
  t.equal(res.json().receipt, 'a\u2028b')
  const invalid = await postRefund(app, refundBody({ reason: '\u2028' }))
  t.equal(invalid.body, '{"reason":["\\"\\u2028\\" is not a valid choice."]}')
})
