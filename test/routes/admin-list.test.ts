// GET /__admin/payments: the payments of a scope, a page at a time, in the envelope Piriod's list endpoints use
// (DRF's PageNumberPagination: count, next, previous, results; page, page_size default 20 max 100).
import t from 'tap'
import { connect, type AddressInfo } from 'node:net'
import { assertDetail, build, createPayment, postRefund, refundBody } from '../helper.js'
import type { App } from '../../src/app.js'

const list = (app: App, query = '', headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url: `/__admin/payments${query}`, headers: { host: 'mock:8080', ...headers } })

async function seed (app: App): Promise<void> {
  for (let id = 1; id <= 45; id++) await createPayment(app, { id, amount: '10.00' })
  await createPayment(app, { id: 1, amount: '5.00', testMode: true })
  await createPayment(app, { id: 1, amount: '7.50', workspace: 'acc_2' })
}

t.test('pages of 20 by default, with absolute next/previous links', async t => {
  const { app } = await build(t)
  await seed(app)
  const first = await list(app)
  t.equal(first.statusCode, 200)
  t.equal(first.headers['content-type'], 'application/json')
  const body = first.json()
  t.strictSame(Object.keys(body), ['count', 'next', 'previous', 'results'])
  t.equal(body.count, 47)
  t.equal(body.results.length, 20)
  t.equal(body.next, 'http://mock:8080/__admin/payments?page=2')
  t.equal(body.previous, null)
  // ordered by workspace, mode, id
  t.strictSame(body.results.slice(0, 3).map((p: { workspace: string, test_mode: boolean, id: number }) => [p.workspace, p.test_mode, p.id]),
    [['acc_1', false, 1], ['acc_1', false, 2], ['acc_1', false, 3]])
  t.strictSame(Object.keys(body.results[0]), ['id', 'amount', 'refunded', 'balance', 'refund_outcome', 'workspace', 'test_mode', 'created', 'refund_count'])

  const second = (await list(app, '?page=2')).json()
  t.equal(second.previous, 'http://mock:8080/__admin/payments', 'page 1 is the URL without page, as DRF links it')
  t.equal(second.next, 'http://mock:8080/__admin/payments?page=3')
  const last = (await list(app, '?page=last')).json()
  t.equal(last.results.length, 7)
  t.equal(last.next, null)
  t.equal(last.previous, 'http://mock:8080/__admin/payments?page=2')
  t.strictSame(last.results.at(-1), { ...last.results.at(-1), workspace: 'acc_2', id: 1, amount: 7.5 })
})

t.test('page_size: at most 100, other parameters kept and sorted in the links', async t => {
  const { app } = await build(t)
  await seed(app)
  const body = (await list(app, '?page_size=10&x=1&page=2')).json()
  t.equal(body.results.length, 10)
  t.equal(body.results[0].id, 11)
  t.equal(body.next, 'http://mock:8080/__admin/payments?page=3&page_size=10&x=1')
  t.equal(body.previous, 'http://mock:8080/__admin/payments?page_size=10&x=1')
  t.equal((await list(app, '?page_size=1000')).json().results.length, 47, 'cut to the maximum, 100')
  for (const size of ['0', '-1', 'abc', '']) t.equal((await list(app, `?page_size=${size}`)).json().results.length, 20, `page_size=${size} is the default`)
  t.equal((await list(app, '?page_size=%205%20')).json().results.length, 5, 'read as Python\'s int() reads it')
  t.equal((await list(app, '?page=9&page=2&page_size=1&page_size=10')).json().results[0].id, 11, 'a repeated parameter counts once, the last')
})

t.test('a page that does not exist is DRF\'s 404', async t => {
  const { app } = await build(t)
  await seed(app)
  for (const page of ['0', '4', '-1', 'x', '1.0', '']) assertDetail(t, await list(app, `?page=${page}`), 404, 'Invalid page.')
  const empty = await list(app, '', { 'x-simple-workspace': 'nobody' })
  t.strictSame(empty.json(), { count: 0, next: null, previous: null, results: [] }, 'an empty scope has an empty first page')
  assertDetail(t, await list(app, '?page=2', { 'x-simple-workspace': 'nobody' }), 404, 'Invalid page.')
})

t.test('filtered by the scope headers; refund counts and balances', async t => {
  const { app } = await build(t)
  await seed(app)
  t.equal((await postRefund(app, refundBody({ payment: 3, amount: '2.50' }))).statusCode, 201)
  t.equal((await postRefund(app, refundBody({ payment: 3, amount: '1.00' }))).statusCode, 201)
  const acc1 = (await list(app, '?page_size=3', { 'x-simple-workspace': 'acc_1', 'x-piriod-test-mode': 'false' })).json()
  t.equal(acc1.count, 45)
  t.match(acc1.results[2], { id: 3, amount: 10, refunded: 3.5, balance: 6.5, refund_count: 2 })
  t.equal(acc1.results[1].refund_count, 0)
  const test = (await list(app, '', { 'x-piriod-test-mode': 'true' })).json()
  t.equal(test.count, 1)
  t.match(test.results[0], { workspace: 'acc_1', test_mode: true, amount: 5 })
  const other = (await list(app, '', { 'x-simple-workspace': 'acc_2' })).json()
  t.strictSame(other.results.map((p: { id: number }) => p.id), [1])
  const res = await list(app, '', { 'x-piriod-test-mode': 'maybe' })
  t.equal(res.statusCode, 400, 'a malformed mode header is refused, as on every admin call')
})

t.test('money is written as DRF writes it, and the OpenAPI document describes the call', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 9, amount: '25' })
  t.match((await list(app)).body, '"amount":25.0,"refunded":0.0,"balance":25.0')
  const doc = (await app.inject({ method: 'GET', url: '/__admin/openapi.json' })).json()
  const get = doc.paths['/__admin/payments'].get
  t.ok(get, 'GET /__admin/payments is documented')
  t.strictSame(Object.keys(get.responses['200'].content['application/json'].schema.properties), ['count', 'next', 'previous', 'results'])
  t.strictSame(get.parameters.filter((p: { in: string }) => p.in === 'query').map((p: { name: string }) => p.name).sort(), ['page', 'page_size'])
})

t.test('links name the host the request came to; an HTTP/1.0 request without Host gets localhost', async t => {
  const { app } = await build(t)
  for (let id = 1; id <= 3; id++) await createPayment(app, { id, amount: 1 })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end('GET /__admin/payments?page_size=1 HTTP/1.0\r\n\r\n'))
    let text = ''
    socket.setEncoding('utf8').on('data', (c: string) => { text += c }).on('end', () => resolve(text)).on('error', reject)
  })
  t.match(answer, /^HTTP\/1\.1 200 /)
  t.match(answer, '"next":"http://localhost/__admin/payments?page=2&page_size=1"')
})

t.test('ADMIN_TOKEN guards the list like every data call', async t => {
  const { app } = await build(t, { config: { ADMIN_TOKEN: 'adm_secret' } })
  assertDetail(t, await list(app), 401, 'Authentication credentials were not provided.')
  t.equal((await list(app, '', { authorization: 'Token adm_secret' })).statusCode, 200)
})
