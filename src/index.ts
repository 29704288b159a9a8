// The programmatic API, for Node test suites:
//
//   import { startPiriodMock } from 'piriod-mock'
//   const mock = await startPiriodMock()            // port 0, in-memory database: nothing shared
//   await mock.createPayment({ workspace: 'acc_1', id: 7, amount: 100 })
//   ... point the client under test at mock.url ...
//   await mock.close()
//
// Every helper goes through the admin API (in process, without a socket), so it answers exactly what HTTP would.
import type { LightMyRequestResponse } from 'fastify'
import { LOG_LEVELS, loadConfig, type ConfigValues } from './config.js'
import type { JournalEntry } from './test-kit/journal-json.js'
import { seedDocument } from './test-kit/seed.js'
import { fromJs } from './python/json.js'
import { startEmulator, type Running } from './emulator.js'
import { createLogging } from './logger.js'
import type { ListedPayment, Payment, PaymentWithRefunds } from './schemas/payment.js'
import type { Refund } from './schemas/refund.js'
import type { FaultRule, FaultRuleInput, Restored, SnapshotAnswer, SnapshotDocument, VerifyAnswer, VerifyMatch } from './schemas/test-kit.js'
import { AssertionError } from 'node:assert'

export { StartError } from './start-error.js'
export type { FaultRule, FaultRuleInput, JournalEntry, ListedPayment, Payment, PaymentWithRefunds, Refund, Restored, SnapshotAnswer, SnapshotDocument, VerifyAnswer, VerifyMatch }

export interface PiriodMockOptions {
  /** TCP port; default 0 (any free port) */
  port?: number
  /** bind address; default 127.0.0.1 */
  host?: string
  /** SQLite file; default ':memory:', so two emulators in one process never share state */
  databasePath?: string
  /** a snapshot/seed document (`{"payments": [...]}`), or the path of a file holding one */
  seed?: SnapshotDocument | string
  /** accepted tokens (`tok_a=acc_1|acc_2,tok_b` or a list of such entries); default: any token */
  apiTokens?: string | string[]
  allowLiveTokens?: boolean
  adminToken?: string
  journalSize?: number
  journalMaxBytes?: number
  /** also append every journal entry to this file (NDJSON), to keep after the run */
  journalFile?: string
  /** the most journalFile may hold before it is rotated to `<file>.1` (default 64 MiB) */
  journalFileMaxBytes?: number
  /** Host names the admin API answers besides loopback names, IP literals and single labels (`*` = any) */
  allowedHosts?: string | string[]
  /** the most the database may hold (default 1 GiB) */
  maxDbBytes?: number
  /** the largest snapshot restore() takes (default 256 MiB) */
  snapshotMaxBytes?: number
  duplicateWindowMs?: number
  latencyMs?: number
  /** a fixed clock starting at this instant (byte-identical runs); default: the system clock */
  clock?: Date | string
  /** default 'silent' */
  logLevel?: typeof LOG_LEVELS[number]
  /** the logs' format on stdout when logLevel is not silent: JSON lines (the default) or readable lines */
  logFormat?: 'json' | 'pretty'
}

export interface Scope {
  workspace?: string
  testMode?: boolean
}

export interface PartitionRef {
  workspace: string
  testMode?: boolean
}

export interface NewPayment extends PartitionRef {
  id?: number
  amount: number | string
  refundOutcome?: 'succeeded' | 'failed'
}

export interface RequestFilter extends Scope {
  method?: string
  path?: string
  status?: number
  limit?: number
}

/** An admin call the emulator refused: the status and the body it answered (status 0: it was closed, no answer). */
export class PiriodMockError extends Error {
  override name = 'PiriodMockError'
  readonly status: number
  readonly body: unknown

  constructor (status: number, body: unknown, message = `piriod-mock answered ${status}: ${JSON.stringify(body)}`) {
    super(message)
    this.status = status
    this.body = body
  }
}

/**
 * A verify() that did not hold: an assertion failure — node:assert's AssertionError at run time, as tap, node:test,
 * Jest and Vitest show one —, whose message says what was expected, how many matched, and the closest requests
 * field by field. (Typed without Node's own types, so that a consumer's types need no @types/node.)
 */
export interface PiriodMockVerificationError extends Error {
  /** the admin API's verdict: count, expected, near_misses */
  readonly verdict: VerifyAnswer
  /** how many requests matched */
  readonly actual: number
  /** the condition, in words */
  readonly expected: string
  readonly operator: 'verify'
  readonly code: 'ERR_ASSERTION'
}

// eslint-disable-next-line @typescript-eslint/no-redeclare -- the class and its instances' type share a name, as a class's do
export const PiriodMockVerificationError: new (verdict: VerifyAnswer) => PiriodMockVerificationError = class extends AssertionError {
  override name = 'PiriodMockVerificationError'
  readonly verdict: VerifyAnswer

  constructor (verdict: VerifyAnswer) {
    super({ message: verdict.message, actual: verdict.count, expected: verdict.expected, operator: 'verify' })
    this.verdict = verdict
  }
} as unknown as new (verdict: VerifyAnswer) => PiriodMockVerificationError

/** How many requests verify() expects: exactly, at least or at most n (default at least 1), waiting up to waitMs. */
export interface VerifyOptions extends Scope {
  exactly?: number
  atLeast?: number
  atMost?: number
  /** wait for them instead of sleeping: atLeast answers as soon as it holds, exactly and atMost when the time is up */
  waitMs?: number
}

/** The emulator's clock, as a test moves it (POST /__admin/clock). */
export interface MockClock {
  now(): Promise<Date>
  /** moves the clock to `when` (never backwards) */
  set(when: Date | string): Promise<Date>
  /** moves the clock forward */
  advance(ms: number): Promise<Date>
  /** back to the configured clock */
  reset(): Promise<Date>
}

/** A HAR 1.2 document of the journal (open it in a browser's developer tools). */
export interface HarDocument {
  log: { version: '1.2', creator: { name: string, version: string }, entries: Array<Record<string, unknown>> }
}

export interface PiriodMock {
  /** http://127.0.0.1:<port> */
  readonly url: string
  readonly clock: MockClock
  createPayment(payment: NewPayment): Promise<Payment>
  /** the payment with its refunds, oldest first, or null when the partition has no such payment */
  payment(id: number, partition: PartitionRef): Promise<PaymentWithRefunds | null>
  /** the scope's payments (by workspace, mode and id), each with its refund count: every page of them */
  payments(scope?: Scope): Promise<ListedPayment[]>
  /** journal entries, newest first: `limit` of them (default 100), however many pages that takes */
  requests(filter?: RequestFilter): Promise<JournalEntry[]>
  /** the journal as a HAR document, oldest first (the filter's `limit`: its newest entries only) */
  har(filter?: RequestFilter): Promise<HarDocument>
  clearRequests(scope?: Scope): Promise<number>
  /** adds a fault rule (scoped by `scope`) and answers it as the admin API lists it */
  addFault(rule: FaultRuleInput, scope?: Scope): Promise<FaultRule>
  /** the scope's fault rules, with how often each fired */
  faults(scope?: Scope): Promise<FaultRule[]>
  /** removes one rule; false when the scope has no rule with that id */
  deleteFault(id: string, scope?: Scope): Promise<boolean>
  clearFaults(scope?: Scope): Promise<number>
  snapshot(scope?: Scope): Promise<SnapshotAnswer>
  /** replaces the scope's data with a snapshot: how many payments and refunds went, and came */
  restore(document: SnapshotDocument, scope?: Scope): Promise<Restored>
  reset(scope?: Scope): Promise<{ payments: number, refunds: number }>
  /**
   * Asserts on what the client sent (POST /__admin/requests/verify): resolves with how many requests matched, or
   * rejects with a PiriodMockVerificationError that shows the closest ones field by field.
   */
  verify(match: VerifyMatch, options?: VerifyOptions): Promise<number>
  /** releases the port and the database; every helper then rejects with a PiriodMockError that says so */
  close(): Promise<void>
}

function scopeHeaders (scope: Scope = {}): Record<string, string> {
  const h: Record<string, string> = {}
  if (scope.workspace !== undefined) h['x-simple-workspace'] = scope.workspace
  if (scope.testMode !== undefined) h['x-piriod-test-mode'] = String(scope.testMode)
  return h
}

function env (o: PiriodMockOptions): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {
    PORT: String(o.port ?? 0),
    DATABASE_PATH: o.databasePath ?? ':memory:',
    LOG_LEVEL: o.logLevel ?? 'silent',
    LOG_FORMAT: o.logFormat ?? 'json'
  }
  const set = (key: keyof ConfigValues, value: unknown): void => { if (value !== undefined) e[key] = String(value) }
  set('HOST', o.host)
  set('API_TOKENS', Array.isArray(o.apiTokens) ? o.apiTokens.join(',') : o.apiTokens)
  set('ALLOW_LIVE_TOKENS', o.allowLiveTokens)
  set('ADMIN_TOKEN', o.adminToken)
  set('JOURNAL_SIZE', o.journalSize)
  set('JOURNAL_MAX_BYTES', o.journalMaxBytes)
  set('JOURNAL_FILE', o.journalFile)
  set('JOURNAL_FILE_MAX_BYTES', o.journalFileMaxBytes)
  set('ALLOWED_HOSTS', Array.isArray(o.allowedHosts) ? o.allowedHosts.join(',') : o.allowedHosts)
  set('MAX_DB_BYTES', o.maxDbBytes)
  set('SNAPSHOT_MAX_BYTES', o.snapshotMaxBytes)
  set('DUPLICATE_WINDOW_MS', o.duplicateWindowMs)
  set('LATENCY_MS', o.latencyMs)
  set('CLOCK', o.clock instanceof Date ? o.clock.toISOString() : o.clock)
  set('SEED_FILE', typeof o.seed === 'string' ? o.seed : undefined)
  return e
}

/**
 * Starts an emulator in this process. Every start-up problem — a bad option, a seed that does not load, a database
 * or port that cannot be used — rejects with a StartError whose message is one line naming it.
 */
export async function startPiriodMock (options: PiriodMockOptions = {}): Promise<PiriodMock> {
  const config = loadConfig(env(options))
  const seed = typeof options.seed === 'object' ? seedDocument(fromJs(options.seed), 'seed') : undefined
  const { logger } = await createLogging(config.LOG_LEVEL, config.LOG_FORMAT, process.stdout.isTTY === true)
  const running: Running = await startEmulator(config, seed === undefined ? { logger } : { seed, logger })
  const admin = config.ADMIN_TOKEN === '' ? {} : { authorization: `Token ${config.ADMIN_TOKEN}` }

  let closed: Promise<void> | null = null

  async function call (method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string>, body?: unknown): Promise<unknown> {
    if (closed !== null) throw new PiriodMockError(0, null, `this piriod-mock was closed (close()): ${method} ${url.split('?')[0] as string} went nowhere`)
    const res: LightMyRequestResponse = await running.app.inject({
      method,
      url,
      headers: { ...admin, ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) })
    })
    const parsed: unknown = res.json()
    if (res.statusCode >= 300) throw new PiriodMockError(res.statusCode, parsed)
    return parsed
  }

  const clockAt = (answer: unknown): Date => new Date((answer as { now: string }).now)
  const clock: MockClock = {
    now: async () => clockAt(await call('GET', '/__admin/clock', {})),
    set: async when => clockAt(await call('POST', '/__admin/clock', {}, { now: when instanceof Date ? when.toISOString() : when })),
    advance: async ms => clockAt(await call('POST', '/__admin/clock', {}, { advance_ms: ms })),
    reset: async () => clockAt(await call('POST', '/__admin/clock', {}, { reset: true }))
  }

  return {
    url: running.url,
    clock,
    async createPayment (p) {
      const body = { amount: p.amount, ...(p.id === undefined ? {} : { id: p.id }), ...(p.refundOutcome === undefined ? {} : { refund_outcome: p.refundOutcome }) }
      return await call('POST', '/__admin/payments', scopeHeaders(p), body) as Payment
    },
    async payment (id, partition) {
      try {
        return await call('GET', `/__admin/payments/${id}`, scopeHeaders(partition)) as PaymentWithRefunds
      } catch (err) {
        if (err instanceof PiriodMockError && err.status === 404) return null
        throw err
      }
    },
    async payments (scope) {
      const all: ListedPayment[] = []
      let page = 0
      let answer: { next: string | null, results: ListedPayment[] }
      do {
        answer = await call('GET', `/__admin/payments?page=${++page}&page_size=100`, scopeHeaders(scope)) as typeof answer
        all.push(...answer.results)
      } while (answer.next !== null)
      return all
    },
    async requests (filter = {}) {
      // the journal answers pages of at most 1 MiB: ask for the rest until `limit` entries (default 100) are in
      const limit = filter.limit ?? 100
      const entries: JournalEntry[] = []
      let before: string | undefined
      for (;;) {
        const query = journalQuery(filter)
        query.set('limit', String(limit - entries.length))
        if (before !== undefined) query.set('before', before)
        const page = await call('GET', `/__admin/requests?${query.toString()}`, scopeHeaders(filter)) as { next: string | null, results: JournalEntry[] }
        entries.push(...page.results)
        if (page.next === null || entries.length >= limit) return entries
        before = entries[entries.length - 1]?.id
      }
    },
    async har (filter = {}) {
      const query = journalQuery(filter)
      query.set('format', 'har')
      if (filter.limit !== undefined) query.set('limit', String(filter.limit))
      return await call('GET', `/__admin/requests?${query.toString()}`, scopeHeaders(filter)) as HarDocument
    },
    async clearRequests (scope) {
      return (await call('DELETE', '/__admin/requests', scopeHeaders(scope)) as { deleted: number }).deleted
    },
    async addFault (rule, scope) {
      return await call('POST', '/__admin/faults', scopeHeaders(scope), rule) as FaultRule
    },
    async faults (scope) {
      return (await call('GET', '/__admin/faults', scopeHeaders(scope)) as { results: FaultRule[] }).results
    },
    async deleteFault (id, scope) {
      try {
        await call('DELETE', `/__admin/faults/${encodeURIComponent(id)}`, scopeHeaders(scope))
        return true
      } catch (err) {
        if (err instanceof PiriodMockError && err.status === 404) return false
        throw err
      }
    },
    async clearFaults (scope) {
      return (await call('DELETE', '/__admin/faults', scopeHeaders(scope)) as { deleted: number }).deleted
    },
    async snapshot (scope) {
      return await call('GET', '/__admin/snapshot', scopeHeaders(scope)) as SnapshotAnswer
    },
    async restore (document, scope) {
      return await call('POST', '/__admin/snapshot', scopeHeaders(scope), document) as Restored
    },
    async verify (match, options = {}) {
      const { exactly, atLeast, atMost, waitMs, ...scope } = options
      const count = exactly !== undefined ? { exactly } : atMost !== undefined ? { at_most: atMost } : { at_least: atLeast ?? 1 }
      const verdict = await call('POST', '/__admin/requests/verify', scopeHeaders(scope), { match, count, wait_ms: waitMs ?? 0 }) as VerifyAnswer
      if (!verdict.ok) throw new PiriodMockVerificationError(verdict)
      return verdict.count
    },
    async reset (scope) {
      return await call('POST', '/__admin/reset', scopeHeaders(scope)) as { payments: number, refunds: number }
    },
    close: () => (closed ??= running.close())
  }
}

function journalQuery (filter: RequestFilter): URLSearchParams {
  const query = new URLSearchParams()
  for (const key of ['method', 'path', 'status'] as const) if (filter[key] !== undefined) query.set(key, String(filter[key]))
  return query
}
