import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadSeedFile, SeedError } from '../../src/test-kit/seed.js'
import { readDocument } from '../../src/test-kit/snapshot.js'
import { fromJs } from '../../src/python/json.js'
import { build, getPayment } from '../helper.js'

// removed with the test run (tap's fixture folder)
const dir = t.testdir()
const file = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

t.test('a valid seed', async t => {
  const path = file('ok.json', JSON.stringify({
    payments: [
      { workspace: 'acc_1', test_mode: false, id: 501, amount: 100, refund_outcome: 'succeeded' },
      { workspace: 'acc_1', test_mode: true, id: 501, amount: '20.50' },
      { workspace: 'acc_2', id: 7, amount: 5, refund_outcome: 'failed', created: '2026-01-02T03:04:05.000006Z' }
    ],
    clock: '2026-01-03T00:00:00Z'
  }))
  const seed = loadSeedFile(path)
  t.equal(seed.clockUs, Date.UTC(2026, 0, 3) * 1000, 'the clock the document was taken at')
  t.strictSame(seed.payments, [
    { workspace: 'acc_1', testMode: false, id: 501, amount: 10000, refundOutcome: 'succeeded', createdUs: null, refunds: [] },
    { workspace: 'acc_1', testMode: true, id: 501, amount: 2050, refundOutcome: 'succeeded', createdUs: null, refunds: [] },
    { workspace: 'acc_2', testMode: false, id: 7, amount: 500, refundOutcome: 'failed', createdUs: Date.UTC(2026, 0, 2, 3, 4, 5) * 1000 + 6, refunds: [] }
  ])
  t.strictSame(readDocument(fromJs({ payments: [] })), { ok: true, payments: [], clockUs: null })
})

t.test('loading is idempotent: existing payments keep their balance and refunds', async t => {
  const { app } = await build(t)
  const seed = readDocument(fromJs({
    payments: [
      { workspace: 'acc_1', id: 7, amount: 100, refunds: [{ amount: 10, reason: 'duplicate', receipt: 'seeded' }] },
      { workspace: 'acc_1', id: 8, amount: 5 }
    ]
  }))
  if (!seed.ok) throw new Error('bad seed')
  t.strictSame(app.snapshots.seed(seed.payments), { kind: 'seeded', added: { payments: 2, refunds: 1 } })
  await app.inject({ method: 'POST', url: '/refunds/', headers: { authorization: 'Token t', 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }, payload: { payment: 7, amount: 30, reason: 'duplicate', receipt: 'R' } })
  t.strictSame(app.snapshots.seed(seed.payments), { kind: 'seeded', added: { payments: 0, refunds: 0 } })
  const payment = (await getPayment(app, 7)).json()
  t.equal(payment.balance, 60)
  t.strictSame(payment.refunds.map((r: { receipt: string }) => r.receipt), ['seeded', 'R'])
})

t.test('bad files and entries stop start-up, naming the file and the entry', async t => {
  const missing = join(dir, 'nope.json')
  t.throws(() => loadSeedFile(missing), new SeedError(`SEED_FILE ${missing}: cannot be read (ENOENT)`))
  t.throws(() => loadSeedFile(dir), new SeedError(`SEED_FILE ${dir}: cannot be read (EISDIR)`))
  const broken = file('broken.json', '{"payments": [')
  t.throws(() => loadSeedFile(broken), { message: new RegExp(`^SEED_FILE ${broken}: not valid JSON \\(`) })
  const cases: Array<[unknown, string]> = [
    [[], '(document): Expected an object with a "payments" list.'],
    [{}, 'payments: This field is required.'],
    [{ payments: {} }, 'payments: Expected a list.'],
    [{ payments: [], extra: 1 }, 'extra: Unknown field.'],
    [{ payments: [1] }, 'payments[0]: Expected an object.'],
    [{ payments: [{ workspace: 'a', id: 1, amount: 1, amout: 2 }] }, 'payments[0].amout: Unknown field.'],
    [{ payments: [{ id: 1, amount: 1 }] }, 'payments[0].workspace: This field is required.'],
    [{ payments: [{ workspace: ' ', id: 1, amount: 1 }] }, 'payments[0].workspace: A non-blank string is required.'],
    [{ payments: [{ workspace: 'a', test_mode: 'true', id: 1, amount: 1 }] }, 'payments[0].test_mode: Must be true or false.'],
    [{ payments: [{ workspace: 'a', amount: 1 }] }, 'payments[0].id: This field is required.'],
    [{ payments: [{ workspace: 'a', id: 1, amount: 1 }, { workspace: 'a', id: 2, amount: 1 }, { workspace: 'a', id: 3, amount: 1 }, { workspace: 'a', id: 4, amount: '1.001' }] },
      'payments[3].amount: Ensure that there are no more than 2 decimal places.'],
    [{ payments: [{ workspace: 'a', id: 1, amount: 1, refund_outcome: 'x' }] }, 'payments[0].refund_outcome: "x" is not a valid choice.'],
    [{ payments: [{ workspace: 'a', id: 1, amount: 1, created: '2026-02-30T00:00:00Z' }] }, 'payments[0].created: Datetime has wrong format. Use YYYY-MM-DDThh:mm:ss[.uuuuuu]Z.'],
    [{ payments: [{ workspace: 'a', id: 1, amount: 1 }, { workspace: 'a', id: 1, amount: 2 }] }, 'payments[1]: Duplicates payments[0] (same workspace, test_mode and id).'],
    [{ payments: [{ workspace: 'a', id: 1, amount: 1, refunds: {} }] }, 'payments[0].refunds: Expected a list.'],
    [{ payments: [{ workspace: 'a', id: 1, amount: 1, refunds: [{ amount: 2, reason: 'duplicate', receipt: 'R' }] }] },
      'payments[0].refunds[0].amount: Ensure this value is less than or equal to the payment\'s remaining refundable balance of 1.00.'],
    [{ payments: [{ workspace: 'a', id: 1, amount: 1, refunds: [{ amount: 1, reason: 'nope', receipt: 'R', colour: 1 }] }] }, 'payments[0].refunds[0].reason: "nope" is not a valid choice. (and 1 more)']
  ]
  for (const [data, message] of cases) {
    const path = file('case.json', JSON.stringify(data))
    t.throws(() => loadSeedFile(path), new SeedError(`SEED_FILE ${path}: ${message}`), message)
  }
})
