// A client generated from the published spec (openapi-typescript + openapi-fetch), used the way a user's code
// would call Piriod: the emulator must answer what those types promise. The generated types are kept in
// test/contract/piriod-api.d.ts and checked here to match the spec, so they cannot drift.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import createClient from 'openapi-fetch'
import openapiTS, { astToString } from 'openapi-typescript'
import type { components, paths } from './piriod-api.js'
import { SPEC_PATH } from '../helper.js'
import { startPiriodMock } from '../../src/index.js'

type Refund = components['schemas']['Refund']

t.test('the generated types are those of the spec', async t => {
  const generated = astToString(await openapiTS(SPEC_PATH))
  const kept = readFileSync(fileURLToPath(new URL('./piriod-api.d.ts', import.meta.url)), 'utf8')
  t.equal(kept.slice(kept.indexOf('export interface paths')), generated.slice(generated.indexOf('export interface paths')),
    'regenerate with: npx openapi-typescript test/spec/piriod-refunds.openapi.yaml -o test/contract/piriod-api.d.ts')
})

t.test('a typed client, as a user would write it', async t => {
  const mock = await startPiriodMock({ apiTokens: 'tok_live_like_test' })
  t.teardown(() => mock.close())
  await mock.createPayment({ workspace: 'acc_01H8XYZ123ABC', id: 7, amount: 100 })
  const piriod = createClient<paths>({ baseUrl: mock.url, headers: { authorization: 'Token tok_live_like_test' } })
  const headers = { 'x-simple-workspace': 'acc_01H8XYZ123ABC' }

  const created = await piriod.POST('/refunds/', {
    params: { header: headers },
    body: { payment: 7, amount: 12.5, reason: 'requested_by_customer', receipt: 'R-1', note: null }
  })
  t.equal(created.response.status, 201)
  const refund: Refund | undefined = created.data
  t.equal(refund?.balance, 87.5)
  t.equal(refund?.status, 'succeeded')
  t.match(refund?.id, /^ref_/)

  const refused = await piriod.POST('/refunds/', {
    params: { header: headers },
    body: { payment: 7, amount: 100, reason: 'duplicate', receipt: 'R-2' }
  })
  t.equal(refused.response.status, 400)
  t.equal(refused.data, undefined)
  const errors: Record<string, string[]> | undefined = refused.error
  t.strictSame(errors, { amount: ["Ensure this value is less than or equal to the payment's remaining refundable balance of 87.50."] })

  const testMode = await piriod.POST('/refunds/', {
    params: { header: { ...headers, 'x-piriod-test-mode': true } },
    body: { payment: 7, amount: 1, reason: 'fraudulent', receipt: 'R-3' }
  })
  t.strictSame(testMode.error, { payment: ['Invalid pk "7" - object does not exist.'] }, 'the boolean header travels as "true"')

  // what the types forbid does not compile (tsc checks the tests: npm test's posttest)
  await piriod.POST('/refunds/', {
    params: { header: headers },
    // @ts-expect-error a misspelt field is a compile error
    body: { paymnet: 7, amount: 1, reason: 'duplicate', receipt: 'R-4' }
  })
  await piriod.POST('/refunds/', {
    params: { header: headers },
    // @ts-expect-error so is a reason outside the enum
    body: { payment: 7, amount: 1, reason: 'changed_my_mind', receipt: 'R-5' }
  })
  // A finding about the spec, not the emulator: `metadata: {type: object}` with no properties becomes
  // Record<string, never>, so a client generated with the defaults cannot send metadata at all. Generate with
  // --empty-objects-unknown (README, Fidelity); the emulator stores whatever object is sent.
  const withMetadata = await piriod.POST('/refunds/', {
    params: { header: headers },
    // @ts-expect-error metadata with any key is refused by the default generation
    body: { payment: 7, amount: 1, reason: 'duplicate', receipt: 'R-6', metadata: { order: 'A-1' } }
  })
  t.strictSame(withMetadata.data?.metadata, { order: 'A-1' })
  // @ts-expect-error and a path the API does not have
  await piriod.POST('/refund/', { body: {} }).catch(() => undefined)
})
