// Fault injection: rules that answer in place of the emulated API, delay it, drop the connection, or — with
// after_commit — let the real handler store the refund and then lie about it. Rules compose: every active rule a
// request matches applies, in creation order — their delays add up, and the first with a status or a dropped
// connection decides the answer (later ones of that kind do not apply, and are not counted as fired).
// Rules are bounded (a body and headers of a few KiB) and inert: what they answer is JSON, and never sets a cookie.
import { STATUS_CODES, validateHeaderName, validateHeaderValue } from 'node:http'
import { MISSING, MSG, unrenderable } from '../drf/fields.js'
import { dumps, toJs, type PyDict, type PyValue } from '../python/json.js'
import { ApiError, invalid } from '../errors.js'
import { decode } from '../schemas/kinds.js'
import type { Static } from '@sinclair/typebox'
import { FaultRuleSchema, MAX_DELAY_MS, type FaultRecordSchema, type FaultRuleAnswerSchema } from '../schemas/test-kit.js'
import { Problems, schemaReader } from '../schemas/validate.js'
import { field, type Body } from '../serializers/common.js'
import { inScope, type Scope } from '../partition.js'

export const MAX_RULES = 100
/** The most a rule's body may be, as the JSON text it answers, and its headers, names and values together. */
const MAX_FAULT_BODY_BYTES = 4096
const MAX_FAULT_HEADER_BYTES = 4096

interface FaultAction {
  status?: number
  /** the body as JSON shows it (for listing); the rule answers with `answer`, its exact text */
  body?: unknown
  headers?: Record<string, string>
  delay_ms?: number
  drop_connection?: true
  after_commit?: true
}

export interface FaultRule {
  id: string
  /** what a status fault answers with: the body given, as written, or a detail naming the status */
  answer: string
  match: { method?: string, path?: string }
  action: FaultAction
  /** how many times it fires; 0 = until removed */
  times: number
  fired: number
  workspace: string | null
  testMode: boolean | null
}

export function ruleBody (r: FaultRule): Static<typeof FaultRuleAnswerSchema> {
  return {
    id: r.id,
    match: r.match,
    action: r.action,
    times: r.times,
    fired: r.fired,
    active: r.times === 0 || r.fired < r.times,
    workspace: r.workspace,
    test_mode: r.testMode
  }
}

// the answer's framing is Node's to write: a rule that set these would send a body of another length
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'trailer', 'content-encoding'])
// a fault answer shares the dashboard's origin: it is JSON (a text/html answer could run a script there), and it
// sets no cookie (cookies for 127.0.0.1 reach every local port)
const INERT = new Set(['content-type', 'set-cookie'])

/** Why Node would refuse to send this header (checked as Node checks it), or null. */
function headerProblem (name: string, value: unknown): string | null {
  try {
    validateHeaderName(name)
  } catch {
    return `Header name ${JSON.stringify(name)} is not a valid HTTP header name.`
  }
  if (FRAMING.has(name.toLowerCase())) return `Header "${name}" is set by the server itself.`
  if (INERT.has(name.toLowerCase())) return `Header "${name}" cannot be set by a fault rule: its answers are JSON and set no cookies.`
  if (typeof value !== 'string') return `Header "${name}" needs a string value.`
  try {
    validateHeaderValue(name, value)
  } catch {
    return `Header "${name}" has a value with characters HTTP does not allow (control characters, line breaks).`
  }
  return null
}

const BODY_TOO_LARGE = `Ensure this field has no more than ${MAX_FAULT_BODY_BYTES} bytes when written as JSON.`
const HEADERS_TOO_LARGE = `Ensure the headers have no more than ${MAX_FAULT_HEADER_BYTES} bytes, names and values together.`

/** The problems of a rule's headers (a dict, as the schema let it through), or none. */
function headersProblems (headers: PyDict): string[] {
  const problems = [...headers].map(([name, value]) => headerProblem(name, value)).filter(p => p !== null)
  let bytes = 0
  for (const [name, value] of headers) bytes += Buffer.byteLength(name) + (typeof value === 'string' ? Buffer.byteLength(value) : 0)
  if (bytes > MAX_FAULT_HEADER_BYTES) problems.push(HEADERS_TOO_LARGE)
  return problems
}

/** Which actions go together: what a schema of independent fields cannot say. */
function combinationProblems (a: FaultAction): string[] {
  const problems: string[] = []
  if (a.status === undefined && a.drop_connection === undefined && a.delay_ms === undefined) problems.push('An action needs "status", "drop_connection" or "delay_ms".')
  if (a.status !== undefined && a.drop_connection !== undefined) problems.push('"status" and "drop_connection" exclude each other.')
  if ((a.body !== undefined || a.headers !== undefined) && a.status === undefined) problems.push('"body" and "headers" go with "status".')
  if (a.after_commit !== undefined && a.status === undefined && a.drop_connection === undefined) problems.push('"after_commit" needs "status" or "drop_connection".')
  return problems
}

const readShape = schemaReader(FaultRuleSchema)
const ACTION = FaultRuleSchema.properties.action.properties

/**
 * A rule as POST /__admin/faults gives it, read as FaultRuleSchema says, then what the schema cannot say: the body
 * JSON can carry and its size, headers as Node checks them, which actions go together. The rule, with the exact
 * JSON text of its answer, or the problems by path (`action.status`).
 */
function readRule (body: Body): { match: FaultRule['match'], action: FaultAction, times: number, answer: string | undefined } | ApiError {
  const checked = readShape(body)
  const problems = checked.ok ? new Problems(FaultRuleSchema) : checked.problems
  const action = field(body, 'action')
  let answer: string | undefined
  if (action instanceof Map) {
    const given = field(action, 'body')
    if (given !== MISSING) {
      answer = unrenderable(given) === null ? dumps(given) : undefined
      if (answer === undefined) problems.add(['action', 'body'], MSG.invalidJson)
      else if (Buffer.byteLength(answer) > MAX_FAULT_BODY_BYTES) problems.add(['action', 'body'], BODY_TOO_LARGE)
    }
    const headers = field(action, 'headers')
    if (headers instanceof Map && headersProblems(headers).length > 0) problems.add(['action', 'headers'], headersProblems(headers))
  }
  if (!checked.ok || problems.count > 0 || !(action instanceof Map)) return invalid(problems.errors)
  const { match = {}, action: given } = checked.value
  const out: FaultAction = {}
  const status = decode(ACTION.status, field(action, 'status'))
  const delay = decode(ACTION.delay_ms, field(action, 'delay_ms'))
  if (status !== null) out.status = status
  if (delay !== null) out.delay_ms = delay
  if (given.drop_connection === true) out.drop_connection = true
  if (given.after_commit === true) out.after_commit = true
  if (answer !== undefined) out.body = toJs(field(action, 'body') as PyValue)
  if (given.headers !== undefined) out.headers = given.headers as Record<string, string>
  const combinations = combinationProblems(out)
  if (combinations.length > 0) return invalid({ action: combinations })
  return {
    match: { ...(match.method === undefined ? {} : { method: match.method.toUpperCase() }), ...(match.path === undefined ? {} : { path: match.path }) },
    action: out,
    times: decode(FaultRuleSchema.properties.times, field(body, 'times')) ?? 1,
    answer
  }
}

/** What the rules a request matched do to it, together. */
export interface FaultEffect {
  /** the rules that applied, in creation order (each counted as fired) */
  rules: FaultRule[]
  /** the first of them with a status or a dropped connection: it decides the answer */
  decider: FaultRule | null
  /** their delays added up (at most MAX_DELAY_MS) */
  delayMs: number
}

/** A fault effect as the journal keeps it: the rules' ids and what they did, never a copy of a body. */
export function faultRecord (effect: FaultEffect): FaultRecord {
  const action = effect.decider?.action
  return {
    rule: (effect.decider ?? effect.rules[0] as FaultRule).id,
    rules: effect.rules.map(r => r.id),
    status: action?.status ?? null,
    delay_ms: effect.delayMs,
    drop_connection: action?.drop_connection === true,
    after_commit: action?.after_commit === true
  }
}

export type FaultRecord = Static<typeof FaultRecordSchema>

export interface Faults {
  readonly count: number
  add(body: Body, scope: Scope): FaultRule | ApiError
  list(scope: Scope): FaultRule[]
  remove(scope: Scope, id?: string): number
  /** what the rules a request matches do to it (each rule that applies counted as fired), or null when none does */
  fire(method: string, path: string, scope: Scope): FaultEffect | null
}

// a rule is listed and deleted within the scope it was made in (an admin call without headers sees them all),
// and fires for requests inside that scope
const listedIn = (r: FaultRule, s: Scope): boolean => inScope(s, r.workspace, r.testMode)
const firesFor = (r: FaultRule, request: Scope): boolean => inScope(r, request.workspace, request.testMode)

const pathMatches = (pattern: string, path: string): boolean =>
  pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern

export function createFaults (): Faults {
  let rules: FaultRule[] = []
  let seq = 0
  return {
    get count () { return rules.length },
    add (body, scope) {
      const read = readRule(body)
      if (read instanceof ApiError) return read
      if (rules.length >= MAX_RULES) return invalid({ non_field_errors: [`At most ${MAX_RULES} fault rules; delete some first.`] })
      const rule: FaultRule = {
        id: `flt_${++seq}`,
        answer: read.answer ?? JSON.stringify(defaultFaultBody(read.action.status ?? 500)),
        match: read.match,
        action: read.action,
        times: read.times,
        fired: 0,
        workspace: scope.workspace,
        testMode: scope.testMode
      }
      rules.push(rule)
      return rule
    },
    list: scope => rules.filter(r => listedIn(r, scope)),
    remove (scope, id) {
      const before = rules.length
      rules = rules.filter(r => !(listedIn(r, scope) && (id === undefined || r.id === id)))
      return before - rules.length
    },
    fire (method, path, scope) {
      let effect: FaultEffect | null = null
      for (const r of rules) {
        if (r.times !== 0 && r.fired >= r.times) continue
        if (r.match.method !== undefined && r.match.method !== method) continue
        if (r.match.path !== undefined && !pathMatches(r.match.path, path)) continue
        if (!firesFor(r, scope)) continue
        const decides = r.action.status !== undefined || r.action.drop_connection === true
        // a second rule that would decide the answer does not apply: the first one has
        if (decides && effect?.decider != null) continue
        effect ??= { rules: [], decider: null, delayMs: 0 }
        effect.rules.push(r)
        if (decides) effect.decider = r
        effect.delayMs = Math.min(MAX_DELAY_MS, effect.delayMs + (r.action.delay_ms ?? 0))
        r.fired++
      }
      return effect
    }
  }
}

/** The body a status fault answers with when the rule gives none. */
function defaultFaultBody (status: number): { detail: string } {
  return { detail: `${STATUS_CODES[status] ?? 'Error'} (injected by piriod-mock)` }
}
