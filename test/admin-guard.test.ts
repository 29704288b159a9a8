// The admin API and the dashboard as a localhost tool: web pages are attackers too. Cross-site requests and DNS
// rebinding (a foreign Host) are refused before anything runs; the emulated API answers any Host and Origin.
import t from 'tap'
import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { build, createPayment, getPayment, postRefund, refundBody } from './helper.js'
import { parseAllowedHosts, loadConfig } from '../src/config.js'
import { adminRefusal, hostAllowed, hostName } from '../src/admin-guard.js'

const WS = { 'x-simple-workspace': 'acc_1' }

t.test('a cross-site "simple" POST /__admin/reset is refused and the data kept', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  const attempts: Array<Record<string, string>> = [
    { origin: 'http://evil.example', 'content-type': 'text/plain' },
    { origin: 'http://evil.example' },
    { origin: 'null', 'content-type': 'text/plain' },
    { 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' },
    // a page on another port of this machine is another origin
    { origin: 'http://localhost:3000', host: 'localhost:8080' }
  ]
  for (const headers of attempts) {
    const res = await app.inject({ method: 'POST', url: '/__admin/reset', headers: { host: 'localhost:8080', ...headers }, payload: 'x' })
    t.equal(res.statusCode, 403, JSON.stringify(headers))
    t.equal(res.headers['content-type'], 'application/json')
    t.match(res.json(), { detail: /^Cross-site request refused/ })
    t.notOk(Object.keys(res.headers).some(h => h.startsWith('access-control-')), 'no CORS headers')
  }
  t.equal((await getPayment(app, 7)).statusCode, 200, 'the payment is still there')
  // the same call from the page's own origin, or without Origin (test code, curl), works
  const own = await app.inject({ method: 'POST', url: '/__admin/reset', headers: { host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080', 'sec-fetch-site': 'same-origin' } })
  t.equal(own.statusCode, 200)
  t.strictSame(own.json(), { payments: 1, refunds: 0 })
})

t.test('every admin write is refused cross-site, before it runs', async t => {
  const { app } = await build(t)
  const evil = { host: 'localhost', origin: 'https://evil.example', 'content-type': 'text/plain' }
  for (const [method, url, payload] of [
    ['POST', '/__admin/payments', '{"amount": 1}'],
    ['POST', '/__admin/faults', '{"action": {"status": 500}}'],
    ['DELETE', '/__admin/faults', ''],
    ['DELETE', '/__admin/requests', ''],
    ['POST', '/__admin/snapshot', '{"payments": []}'],
    ['POST', '/__admin/clock', '{"advance_ms": 1000}']
  ] as const) {
    const res = await app.inject({ method, url, headers: { ...evil, ...WS }, payload })
    t.equal(res.statusCode, 403, `${method} ${url}`)
  }
  t.equal(app.faults.count, 0, 'no fault rule was added')
  t.equal(app.payments.count({ workspace: null, testMode: null }), 0, 'no payment was created')
})

t.test('DNS rebinding: a foreign Host cannot read the journal; loopback names, IPs and single labels can', async t => {
  const { app } = await build(t)
  await postRefund(app, refundBody())
  const read = (host: string) => app.inject({ method: 'GET', url: '/__admin/requests', headers: { host } })
  for (const host of ['evil.example:8080', 'evil.example', '127.0.0.1.nip.io:8080', 'localhost.evil.example', 'a.b']) {
    const res = await read(host)
    t.equal(res.statusCode, 403, host)
    t.equal(res.headers['content-type'], 'application/json')
    t.match(res.json(), { detail: /ALLOWED_HOSTS/ }, 'says which setting to change')
    t.notMatch(res.body, 'req_', 'nothing of the journal')
  }
  for (const host of ['localhost:8080', 'LOCALHOST', 'localhost.', 'app.localhost:8080', 'piriod:8080', 'piriod-mock', '127.0.0.1:8080', '10.0.0.5', '[::1]:8080', '[fe80::1]']) {
    const res = await read(host)
    t.equal(res.statusCode, 200, host)
    t.equal(res.json().count, 1)
  }
  t.equal((await read('evil.example')).statusCode, 403)
  t.equal((await app.inject({ method: 'GET', url: '/__admin/', headers: { host: 'evil.example' } })).statusCode, 403, 'the dashboard too')
})

t.test('the emulated API answers any Host and any Origin, as the real service does', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  const res = await postRefund(app, refundBody(), { host: 'api.piriod.example', origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' })
  t.equal(res.statusCode, 201)
  t.notOk(Object.keys(res.headers).some(h => h.startsWith('access-control-')), 'and sends no CORS headers')
})

t.test('ALLOWED_HOSTS: names, .domain for a domain and its subdomains, * for any', async t => {
  const { app } = await build(t, { config: { allowedHosts: parseAllowedHosts('piriod.example, .corp.example') } })
  const status = async (host: string) => (await app.inject({ method: 'GET', url: '/__admin/faults', headers: { host } })).statusCode
  t.equal(await status('piriod.example:8080'), 200)
  t.equal(await status('PIRIOD.example'), 200)
  t.equal(await status('corp.example'), 200)
  t.equal(await status('mock.ci.corp.example:443'), 200)
  t.equal(await status('other.example'), 403)
  t.equal(await status('notcorp.example'), 403)
  t.equal(await status('localhost'), 200, 'the defaults still hold')

  const { app: open } = await build(t, { config: { allowedHosts: parseAllowedHosts('*') } })
  t.equal((await open.inject({ method: 'GET', url: '/__admin/faults', headers: { host: 'anything.example' } })).statusCode, 200)

  t.strictSame(loadConfig({ ALLOWED_HOSTS: 'a.example,,.b.example, C.example., [fe80::2]' }).allowedHosts, { names: new Set(['a.example', 'c.example', 'fe80::2']), suffixes: ['.b.example'] })
  for (const bad of ['http://a.example', 'a.example:8080', 'a b', 'a/b']) {
    t.throws(() => loadConfig({ ALLOWED_HOSTS: `ok.example,${bad}` }), { name: 'StartError', message: /^ALLOWED_HOSTS entry 2 / }, bad)
  }
})

t.test('with ADMIN_TOKEN the token is the guard: any Host is accepted, and still no cross-site call', async t => {
  const { app } = await build(t, { config: { ADMIN_TOKEN: 'adm_secret_1' } })
  const auth = { authorization: 'Token adm_secret_1' }
  t.equal((await app.inject({ method: 'GET', url: '/__admin/requests', headers: { host: 'mock.ci.example', ...auth } })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/__admin/requests', headers: { host: 'mock.ci.example' } })).statusCode, 401, 'without it: 401, not 403')
  const cross = await app.inject({ method: 'POST', url: '/__admin/reset', headers: { host: 'mock.ci.example', origin: 'http://evil.example', ...auth } })
  t.equal(cross.statusCode, 403)
})

t.test('the dashboard: a strict policy and no framing; nosniff on every admin answer', async t => {
  const { app } = await build(t)
  for (const url of ['/__admin/', '/__admin/app.js', '/__admin/style.css']) {
    const res = await app.inject({ url })
    t.equal(res.statusCode, 200, url)
    const csp = res.headers['content-security-policy'] as string
    t.match(csp, /(?:^|; )default-src 'self'(?:;|$)/)
    t.match(csp, /(?:^|; )script-src 'self'(?:;|$)/, 'no inline script')
    t.match(csp, /(?:^|; )style-src 'self'(?:;|$)/, 'no inline style')
    t.match(csp, /(?:^|; )frame-ancestors 'none'(?:;|$)/)
    t.notMatch(csp, 'unsafe')
    t.equal(res.headers['x-frame-options'], 'DENY')
    t.equal(res.headers['x-content-type-options'], 'nosniff')
    t.equal(res.headers['referrer-policy'], 'no-referrer')
  }
  // a 405 (GET of a POST-only call) and a 403 too
  for (const url of ['/__admin/health', '/__admin/requests', '/__admin/faults', '/__admin/payments', '/__admin/openapi.json', '/__admin/reset']) {
    const res = await app.inject({ url })
    t.not(res.statusCode, 404, url)
    t.equal(res.headers['x-content-type-options'], 'nosniff', url)
    t.equal(res.headers['cross-origin-resource-policy'], 'same-origin', url)
  }
  // a person following a link to the dashboard from another site gets the page; a cross-site read of data does not
  const nav = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' }
  t.equal((await app.inject({ url: '/__admin/', headers: nav })).statusCode, 200)
  t.equal((await app.inject({ url: '/__admin/requests', headers: nav })).statusCode, 403)
  t.equal((await app.inject({ url: '/__admin/', headers: { ...nav, 'sec-fetch-mode': 'no-cors' } })).statusCode, 403, 'an embedding is no navigation')
})

t.test('over a real socket: the Host a client sends is the one checked', async t => {
  const { app } = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const get = (host: string) => new Promise<number>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/__admin/requests', headers: { host } }, res => {
      res.resume()
      resolve(res.statusCode as number)
    }).on('error', reject).end()
  })
  t.equal(await get(`evil.example:${port}`), 403)
  t.equal(await get(`localhost:${port}`), 200)
  t.equal(await get(`127.0.0.1:${port}`), 200)
})

t.test('Host parsing', async t => {
  t.equal(hostName('[::1]:8080'), '::1')
  t.equal(hostName('LocalHost.:80'), 'localhost')
  t.equal(hostName('a.example'), 'a.example')
  t.equal(hostName('a.example:'), null)
  t.equal(hostName('a:b'), null)
  t.equal(hostName('[::1'), null)
  t.equal(hostName('[nope]'), null)
  t.equal(hostName('::1'), null, 'an IPv6 literal needs its brackets')
  t.equal(hostAllowed(undefined, parseAllowedHosts('')), true, 'HTTP/1.0 without Host: no browser sends one')
  t.equal(hostAllowed('a.example:x', parseAllowedHosts('a.example')), false)
  t.equal(hostAllowed('', parseAllowedHosts('')), false)
  const guard = { allowedHosts: parseAllowedHosts(''), adminToken: false, navigation: true }
  t.match(adminRefusal({ method: 'POST', headers: { origin: 'http://localhost' } }, guard), /^Cross-site/, 'an Origin and no Host (HTTP/1.0): not its own')
  t.equal(adminRefusal({ method: 'HEAD', headers: { host: 'localhost', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' } }, guard), null)
  const long = adminRefusal({ method: 'GET', headers: { host: 'x.example', origin: `http://${'o'.repeat(300)}.example` } }, guard) as string
  t.match(long, /"http:\/\/o{193}…"/, 'an echoed header is cut')
})
