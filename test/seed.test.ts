import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadSeedFile, parseSeed, SeedError } from '../src/seed.js'
import { build, getPayment } from './helper.js'

const dir = mkdtempSync(join(tmpdir(), 'piriod-seed-'))
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
      { workspace: 'acc_2', id: 7, amount: 5, refund_outcome: 'failed' }
    ]
  }))
  t.strictSame(loadSeedFile(path), [
    { id: 501, amount: 10000, refundOutcome: 'succeeded', workspace: 'acc_1', testMode: false },
    { id: 501, amount: 2050, refundOutcome: 'succeeded', workspace: 'acc_1', testMode: true },
    { id: 7, amount: 500, refundOutcome: 'failed', workspace: 'acc_2', testMode: false }
  ])
  t.strictSame(parseSeed({ payments: [] }, 'x'), [])
})

t.test('loading is idempotent: existing payments keep their balance', async t => {
  const { app } = await build(t)
  const seed = parseSeed({ payments: [{ workspace: 'acc_1', id: 7, amount: 100 }, { workspace: 'acc_1', id: 8, amount: 5 }] }, 'x')
  t.equal(app.payments.seed(seed), 2)
  await app.inject({ method: 'POST', url: '/refunds/', headers: { authorization: 'Token t', 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }, payload: { payment: 7, amount: 30, reason: 'duplicate', receipt: 'R' } })
  t.equal(app.payments.seed(seed), 0)
  t.equal((await getPayment(app, 7)).json().balance, 70)
  t.equal(app.payments.seed(parseSeed({ payments: [{ workspace: 'acc_1', id: 9, amount: 1 }] }, 'x')), 1)
})

t.test('bad files and entries stop start-up, naming the file and the entry', async t => {
  const missing = join(dir, 'nope.json')
  t.throws(() => loadSeedFile(missing), new SeedError(`SEED_FILE ${missing}: cannot be read (ENOENT)`))
  t.throws(() => loadSeedFile(dir), new SeedError(`SEED_FILE ${dir}: cannot be read (EISDIR)`))
  const broken = file('broken.json', '{"payments": [')
  t.throws(() => loadSeedFile(broken), { message: new RegExp(`^SEED_FILE ${broken}: not valid JSON \\(`) })
  const cases: Array<[unknown, string]> = [
    [[], 'top level: expected an object with a "payments" list'],
    [{}, 'payments: This field is required.'],
    [{ payments: {} }, 'payments: expected a list'],
    [{ payments: [1] }, 'payments[0]: expected an object'],
    [{ payments: [{ workspace: 'a', id: 1, amount: 1, amout: 2 }] }, 'payments[0].amout: unknown field'],
    [{ payments: [{ id: 1, amount: 1 }] }, 'payments[0].workspace: a non-blank string is required'],
    [{ payments: [{ workspace: ' ', id: 1, amount: 1 }] }, 'payments[0].workspace: a non-blank string is required'],
    [{ payments: [{ workspace: 'a', test_mode: 'true', id: 1, amount: 1 }] }, 'payments[0].test_mode: must be true or false'],
    [{ payments: [{ workspace: 'a', amount: 1 }] }, 'payments[0].id: This field is required.'],
    [{ payments: [{ workspace: 'a', id: 1, amount: 1 }, { workspace: 'a', id: 2, amount: 1 }, { workspace: 'a', id: 3, amount: 1 }, { workspace: 'a', id: 4, amount: '1.001' }] },
      'payments[3].amount: Ensure that there are no more than 2 decimal places.'],
    [{ payments: [{ workspace: 'a', id: 1, amount: 1, refund_outcome: 'x' }] }, 'payments[0].refund_outcome: "x" is not a valid choice.'],
    [{ payments: [{ workspace: 'a', id: 1, amount: 1 }, { workspace: 'a', id: 1, amount: 2 }] }, 'payments[1]: duplicates payments[0] (same workspace, test_mode and id)']
  ]
  for (const [data, message] of cases) {
    const path = file('case.json', JSON.stringify(data))
    t.throws(() => loadSeedFile(path), new SeedError(`SEED_FILE ${path}: ${message}`), message)
  }
})
