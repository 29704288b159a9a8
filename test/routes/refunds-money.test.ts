// POST /refunds/ — the balance rule, exact money, partitions and the 201 Refund.
import t from 'tap'
import { assertInvalid, assertRefund, build, createPayment, getPayment, postRefund, refundBody } from '../helper.js'

const over = (remaining: string) => `Ensure this value is less than or equal to the payment's remaining refundable balance of ${remaining}.`

t.test('the 201 Refund, in the spec\'s key order, with DRF datetimes', async t => {
  const { app } = await build(t, { config: { CLOCK: '2026-01-02T03:04:05.123456Z' } })
  const moveClock = (now: string) => app.inject({ method: 'POST', url: '/__admin/clock', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ now }) })
  await createPayment(app, { id: 7, amount: 100 })
  await moveClock('2026-01-02T03:04:06Z')
  const res = await postRefund(app, refundBody({ amount: '12.50', reason: 'fraudulent', note: 'n', receipt: 'R-1', metadata: { k: 'v' } }))
  const body = assertRefund(t, res)
  t.strictSame(Object.keys(body), ['id', 'payment', 'amount', 'balance', 'reason', 'note', 'receipt', 'status', 'metadata', 'created', 'updated'])
  t.match(body.id, /^ref_[0-9a-f]{26}$/)
  t.strictSame({ ...body, id: 'x' }, {
    id: 'x',
    payment: 7,
    amount: 12.5,
    balance: 87.5,
    reason: 'fraudulent',
    note: 'n',
    receipt: 'R-1',
    status: 'succeeded',
    metadata: { k: 'v' },
    created: '2026-01-02T03:04:06Z',
    updated: '2026-01-02T03:04:06Z'
  })
  t.ok(res.body.includes('"amount":12.5,"balance":87.5'), 'money as DRF writes float(Decimal): Python\'s repr')
  await moveClock('2026-01-02T03:04:07.12Z')
  const second = assertRefund(t, await postRefund(app, refundBody({ amount: 25 })))
  t.equal(second.created, '2026-01-02T03:04:07.120000Z', 'six-digit microseconds, never milliseconds')
  t.ok(String(second.id) > String(body.id), 'ids sort by creation time')
  t.ok((await postRefund(app, refundBody({ amount: 25 }))).body.includes('"amount":25.0,"balance":37.5'), 'never 25: DRF writes 25.0')
})

t.test('ids are unique and time-sortable', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 10000 })
  const ids: string[] = []
  for (let i = 0; i < 50; i++) ids.push(String(assertRefund(t, await postRefund(app, refundBody())).id))
  t.equal(new Set(ids).size, 50)
  t.strictSame([...ids].sort(), ids)
})

t.test('the balance rule: several partial refunds, never past the amount', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  t.equal(assertRefund(t, await postRefund(app, refundBody({ amount: 60 }))).balance, 40)
  const refused = await postRefund(app, refundBody({ amount: '40.01' }))
  assertInvalid(t, refused, { amount: [over('40.00')] })
  t.equal(assertRefund(t, await postRefund(app, refundBody({ amount: 40 }))).balance, 0)
  assertInvalid(t, await postRefund(app, refundBody({ amount: 0.01 })), { amount: [over('0.00')] })
  const payment = (await getPayment(app, 7)).json()
  t.equal(payment.refunded, 100)
  t.equal(payment.balance, 0)
  t.equal(payment.refunds.length, 2, 'a refused refund changes nothing')
})

t.test('the balance rule runs only when every field is valid', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 10 })
  assertInvalid(t, await postRefund(app, refundBody({ amount: 11, receipt: '' })), { receipt: ['This field may not be blank.'] })
  assertInvalid(t, await postRefund(app, refundBody({ amount: '1234567890123.5' })), { amount: [over('10.00')] })
  assertInvalid(t, await postRefund(app, refundBody({ amount: '1234567890123.5', receipt: '\u0000' })), { receipt: ['Null characters are not allowed.'] })
})

t.test('money is exact: 0.1 + 0.2 refunded from 0.3 leaves exactly 0', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 0.3 })
  t.equal(assertRefund(t, await postRefund(app, refundBody({ amount: 0.1 }))).balance, 0.2)
  t.equal(assertRefund(t, await postRefund(app, refundBody({ amount: 0.2 }))).balance, 0)
  assertInvalid(t, await postRefund(app, refundBody({ amount: 0.01 })), { amount: [over('0.00')] })
  const big = '9999999999999.99'
  await createPayment(app, { id: 8, amount: big })
  t.equal(assertRefund(t, await postRefund(app, refundBody({ payment: 8, amount: '0.01' }))).balance, 9999999999999.98)
  t.equal(assertRefund(t, await postRefund(app, refundBody({ payment: 8, amount: '9999999999999.98' }))).balance, 0)
  // many cents add up exactly
  await createPayment(app, { id: 9, amount: 1 })
  for (let i = 0; i < 100; i++) assertRefund(t, await postRefund(app, refundBody({ payment: 9, amount: 0.01 })))
  const nine = (await getPayment(app, 9)).json()
  t.equal(nine.refunded, 1)
  t.equal(nine.balance, 0)
})

t.test('refund_outcome "failed": the refund is stored as failed and consumes no balance', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 8, amount: 50, refundOutcome: 'failed' })
  for (let i = 0; i < 3; i++) {
    const body = assertRefund(t, await postRefund(app, refundBody({ payment: 8, amount: 50 })))
    t.equal(body.status, 'failed')
    t.equal(body.balance, 50)
  }
  assertInvalid(t, await postRefund(app, refundBody({ payment: 8, amount: '50.01' })), { amount: [over('50.00')] })
  const payment = (await getPayment(app, 8)).json()
  t.equal(payment.refunded, 0)
  t.equal(payment.refunds.length, 3)
  t.ok(payment.refunds.every((r: { status: string }) => r.status === 'failed'))
})

t.test('partitions: same id, separate balances; nothing crosses', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  await createPayment(app, { id: 7, amount: 30, testMode: true })
  await createPayment(app, { id: 7, amount: 10, workspace: 'acc_2' })
  t.equal(assertRefund(t, await postRefund(app, refundBody({ amount: 5 }))).balance, 95)
  t.equal(assertRefund(t, await postRefund(app, refundBody({ amount: 5 }), { 'x-piriod-test-mode': 'true' })).balance, 25)
  t.equal(assertRefund(t, await postRefund(app, refundBody({ amount: 5 }), { 'x-simple-workspace': 'acc_2' })).balance, 5)
  assertInvalid(t, await postRefund(app, refundBody({ amount: 6 }), { 'x-simple-workspace': 'acc_2' }), { amount: [over('5.00')] })
  assertInvalid(t, await postRefund(app, refundBody({ amount: 1 }), { 'x-simple-workspace': 'acc_3' }), { payment: ['Invalid pk "7" - object does not exist.'] })
  assertInvalid(t, await postRefund(app, refundBody({ amount: 1 }), { 'x-simple-workspace': 'ACC_1' }), { payment: ['Invalid pk "7" - object does not exist.'] }, 'workspaces are case-sensitive')
  t.equal((await getPayment(app, 7)).json().refunds.length, 1)
  t.equal((await getPayment(app, 7, 'acc_1', true)).json().refunds.length, 1)
  t.equal((await getPayment(app, 7, 'acc_2')).json().balance, 5)
})
