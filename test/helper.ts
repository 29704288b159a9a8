// Test helpers: a real app on a real SQLite database (':memory:' unless a path is given) with the real migrations.
import { readFileSync } from 'node:fs'
import type { Test } from 'tap'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import { parse } from 'yaml'
import type { LightMyRequestResponse } from 'fastify'
import { buildApp, type App, type AppOptions, type AppSettings } from '../src/app.js'
import { parseTokens } from '../src/config.js'
import { openDatabase, MEMORY, type DB } from '../src/db/connection.js'
import { migrate } from '../src/db/migrate.js'
import type { EmulatorClock } from '../src/clock.js'

export interface BuildOptions {
  /** API_TOKENS entries */
  tokens?: string[]
  path?: string
  clock?: EmulatorClock
  config?: Partial<AppSettings>
  ready?: boolean
  fastify?: AppOptions
}

export async function build (t: Test, opts: BuildOptions = {}): Promise<{ app: App, db: DB }> {
  const db = openDatabase(opts.path ?? MEMORY)
  migrate(db)
  const config: Partial<AppSettings> = { tokens: parseTokens((opts.tokens ?? []).join(',')), ...opts.config }
  const app = await buildApp({
    config,
    db,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.ready === undefined ? {} : { ready: opts.ready })
  }, { logger: false, ...opts.fastify })
  t.teardown(async () => {
    await app.close()
    db.close()
  })
  return { app, db }
}

const WS = 'acc_1'
export const AUTH = { authorization: 'Token tok_test', 'x-simple-workspace': WS }
export const JSON_HEADERS = { ...AUTH, 'content-type': 'application/json' }

export interface SeedOptions { workspace?: string, testMode?: boolean, id?: number, amount: number | string, refundOutcome?: 'succeeded' | 'failed' }

export async function createPayment (app: App, p: SeedOptions): Promise<Record<string, unknown>> {
  const res = await app.inject({
    method: 'POST',
    url: '/__admin/payments',
    headers: { 'x-simple-workspace': p.workspace ?? WS, 'x-piriod-test-mode': String(p.testMode ?? false), 'content-type': 'application/json' },
    payload: JSON.stringify({ amount: p.amount, ...(p.id !== undefined ? { id: p.id } : {}), ...(p.refundOutcome ? { refund_outcome: p.refundOutcome } : {}) })
  })
  if (res.statusCode !== 201) throw new Error(`createPayment: ${res.statusCode} ${res.body}`)
  return res.json()
}

export async function getPayment (app: App, id: number, workspace = WS, testMode = false): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url: `/__admin/payments/${id}`, headers: { 'x-simple-workspace': workspace, 'x-piriod-test-mode': String(testMode) } })
}

export const refundBody = (fields: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ payment: 7, amount: 1, reason: 'duplicate', receipt: 'R-1', ...fields })

export function postRefund (app: App, body: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/refunds/',
    headers: { ...JSON_HEADERS, ...headers },
    payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body)
  })
}

// The published contract (Piriod's OpenAPI page for POST /refunds/, kept in the repo).
export const SPEC_PATH = new URL('./spec/piriod-refunds.openapi.yaml', import.meta.url)
export const spec = parse(readFileSync(SPEC_PATH, 'utf8')) as {
  components: { schemas: Record<string, Record<string, unknown>> }
  paths: Record<string, unknown>
}

const ajv = new Ajv({ strict: false, allErrors: true })
addFormats.default(ajv)
const compiled = new Map<string, ValidateFunction>()
function schema (name: string): ValidateFunction {
  let v = compiled.get(name)
  if (v === undefined) {
    v = ajv.compile(spec.components.schemas[name] as object)
    compiled.set(name, v)
  }
  return v
}

/** Asserts a 201 answer: status, DRF headers, and a body the spec's Refund schema accepts. */
export function assertRefund (t: Test, res: LightMyRequestResponse): Record<string, unknown> {
  t.equal(res.statusCode, 201, `201 expected, got ${res.statusCode} ${res.body}`)
  t.equal(res.headers['content-type'], 'application/json')
  t.equal(res.headers.allow, 'POST, OPTIONS')
  const body = res.json() as Record<string, unknown>
  const valid = schema('Refund')
  t.ok(valid(body), `Refund schema: ${ajv.errorsText(valid.errors)}`)
  return body
}

/** Asserts a 400 field-keyed answer validated against the spec's ValidationError schema and equal to `expected`. */
export function assertInvalid (t: Test, res: LightMyRequestResponse, expected: Record<string, string[]>, msg?: string): void {
  t.equal(res.statusCode, 400, msg ?? `400 expected: ${res.body}`)
  t.equal(res.headers['content-type'], 'application/json')
  const body = res.json() as unknown
  const valid = schema('ValidationError')
  t.ok(valid(body), `ValidationError schema: ${ajv.errorsText(valid.errors)}`)
  t.strictSame(body, expected, msg ?? 'body')
  t.equal(res.body, JSON.stringify(expected).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029'), 'key order and compact form')
}

/** Asserts a `{"detail": …}` answer. */
export function assertDetail (t: Test, res: LightMyRequestResponse, status: number, detail: string | RegExp): void {
  t.equal(res.statusCode, status, `${status} expected: ${res.body}`)
  t.equal(res.headers['content-type'], 'application/json')
  const body = res.json() as { detail: unknown }
  t.strictSame(Object.keys(body), ['detail'])
  if (typeof detail === 'string') t.equal(body.detail, detail)
  else t.match(body.detail, detail)
}
