// Self-description: GET /__admin/openapi.json (generated from the route schemas) and GET /__admin/ready.
import t from 'tap'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import { build, createPayment, postRefund, refundBody, spec } from '../helper.js'

type Schema = { type?: string | string[], nullable?: boolean, enum?: string[], maxLength?: number, format?: string, readOnly?: boolean, properties?: Record<string, Schema>, required?: string[] }

t.test('the OpenAPI document: the emulated endpoint agrees with the published Refund schema', async t => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'GET', url: '/__admin/openapi.json' })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/json')
  const doc = res.json()
  t.equal(doc.openapi, '3.0.3')
  const post = doc.paths['/refunds/'].post
  t.strictSame(Object.keys(doc.paths['/refunds/']), ['post'], 'only the implemented method is documented')
  const published = spec.components.schemas.Refund as Schema
  const fromRoutes = {
    body: post.requestBody.content['application/json'].schema as Schema,
    answer: post.responses['201'].content['application/json'].schema as Schema
  }
  for (const [name, schema] of Object.entries(fromRoutes)) {
    t.strictSame(Object.keys(schema.properties ?? {}), Object.keys(published.properties ?? {}), `${name}: the same fields, in the same order`)
    for (const [field, want] of Object.entries(published.properties ?? {})) {
      const got = schema.properties?.[field] as Schema
      t.equal(got.type, want.type, `${name}.${field} type`)
      t.strictSame(got.enum, want.enum, `${name}.${field} enum`)
      t.equal(got.maxLength, want.maxLength, `${name}.${field} maxLength`)
      t.equal(got.nullable, want.nullable, `${name}.${field} nullable`)
      t.equal(got.format, want.format, `${name}.${field} format`)
      t.equal(got.readOnly, want.readOnly, `${name}.${field} readOnly`)
    }
  }
  t.strictSame(fromRoutes.body.required, published.required, 'the same required fields in a request')
  t.strictSame(post.parameters.map((p: { name: string, in: string, required: boolean }) => [p.in, p.name, p.required]), [['header', 'x-simple-workspace', true], ['header', 'x-piriod-test-mode', false]])
  t.ok(post.responses['400'], 'the 400 is documented')
  for (const path of ['/__admin/health', '/__admin/ready', '/__admin/payments', '/__admin/payments/{id}', '/__admin/reset', '/__admin/requests', '/__admin/faults', '/__admin/faults/{id}', '/__admin/snapshot', '/__admin/clock']) {
    t.ok(doc.paths[path], `${path} is documented`)
  }
  t.equal(doc.paths['/refunds'], undefined, 'the APPEND_SLASH redirect is not an operation')
})

t.test('ready: 503 until migrations and the seed are done, then 200; health is there all along', async t => {
  const { app } = await build(t, { ready: false })
  const starting = await app.inject({ method: 'GET', url: '/__admin/ready' })
  t.equal(starting.statusCode, 503)
  t.equal(starting.body, '{"status":"starting"}')
  app.readiness.ready = true
  const ready = await app.inject({ method: 'GET', url: '/__admin/ready' })
  t.equal(ready.statusCode, 200)
  t.equal(ready.body, '{"status":"ok"}')
  t.equal((await app.inject({ method: 'POST', url: '/__admin/ready' })).statusCode, 405)
  t.equal((await app.inject({ method: 'OPTIONS', url: '/__admin/openapi.json' })).statusCode, 405)
})

t.test('every admin answer is what the document says it is (the schemas only document: this keeps them true)', async t => {
  const { app } = await build(t, { config: { CLOCK: '2026-01-01T00:00:00Z' } })
  const doc = (await app.inject({ method: 'GET', url: '/__admin/openapi.json' })).json()
  const ajv = new Ajv({ strict: false, allErrors: true })
  addFormats.default(ajv)
  await createPayment(app, { id: 7, amount: 100 })
  await postRefund(app, refundBody({ amount: 10, metadata: { order: 'A-1' } }))
  const ws = { 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }
  const calls: Array<[string, string, string, unknown?]> = [
    ['GET', '/__admin/health', '/__admin/health'],
    ['GET', '/__admin/ready', '/__admin/ready'],
    ['GET', '/__admin/payments', '/__admin/payments'],
    ['POST', '/__admin/payments', '/__admin/payments', { id: 8, amount: '5.50' }],
    ['POST', '/__admin/payments', '/__admin/payments', { id: 'x' }],
    ['GET', '/__admin/payments/7', '/__admin/payments/{id}'],
    ['GET', '/__admin/payments/99', '/__admin/payments/{id}'],
    ['POST', '/__admin/faults', '/__admin/faults', { match: { path: '/x' }, action: { status: 503, headers: { 'retry-after': '1' }, body: { a: 1 } }, times: 0 }],
    ['GET', '/__admin/faults', '/__admin/faults'],
    ['GET', '/__admin/requests', '/__admin/requests'],
    ['GET', '/__admin/requests?status=x', '/__admin/requests'],
    ['GET', '/__admin/snapshot', '/__admin/snapshot'],
    ['GET', '/__admin/clock', '/__admin/clock'],
    ['POST', '/__admin/clock', '/__admin/clock', { advance_ms: 5 }],
    ['DELETE', '/__admin/faults/flt_1', '/__admin/faults/{id}'],
    ['DELETE', '/__admin/faults', '/__admin/faults'],
    ['POST', '/__admin/snapshot', '/__admin/snapshot', { payments: [{ workspace: 'acc_1', id: 9, amount: 1 }] }],
    ['DELETE', '/__admin/requests', '/__admin/requests'],
    ['POST', '/__admin/reset', '/__admin/reset']
  ]
  for (const [method, url, path, body] of calls) {
    const res = await app.inject({ method: method as 'GET', url, headers: ws, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) })
    const documented = doc.paths[path]?.[method.toLowerCase()]?.responses?.[String(res.statusCode)]?.content?.['application/json']?.schema
    t.ok(documented, `${method} ${url}: ${res.statusCode} is documented`)
    if (documented === undefined) continue
    const validate = ajv.compile(documented)
    t.ok(validate(res.json()), `${method} ${url} ${res.statusCode}: ${ajv.errorsText(validate.errors)}`)
  }
})

t.test('one version everywhere: package.json, the OpenAPI document, the HAR creator', async t => {
  const { readFileSync } = await import('node:fs')
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  const { app } = await build(t)
  t.equal((await app.inject({ method: 'GET', url: '/__admin/openapi.json' })).json().info.version, version)
  t.strictSame((await app.inject({ method: 'GET', url: '/__admin/requests?format=har' })).json().log.creator, { name: 'piriod-mock', version })
})
