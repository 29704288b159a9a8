// Fault injection: rules that answer in place of the emulated API, delay it, drop the connection, or — with
// after_commit — let the real handler store the refund and then lie about it. Rules compose: every active rule a
// request matches applies, in creation order — their delays add up, and the first with a status or a dropped
// connection decides the answer (later ones of that kind do not apply, and are not counted as fired).
// Rules are bounded (a body and headers of a few KiB) and inert: what they answer is JSON, and never sets a cookie.
import { STATUS_CODES, validateHeaderName, validateHeaderValue } from 'node:http'
import { MISSING, MSG, integerField, unrenderable, type Input } from '../drf/fields.js'
import { dumps, toJs } from '../python/json.js'
import { invalid, type ApiError, type ValidationErrors } from '../errors.js'
import { field, type Body } from '../serializers/common.js'
import { inScope, type Scope } from '../partition.js'

export const MAX_RULES = 100
export const MAX_DELAY_MS = 60_000
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

export function ruleBody (r: FaultRule) {
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

const TOKEN = /^[!#$%&'*+.^\w`|~-]+$/

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

function asDict (value: Input, errors: ValidationErrors, name: string): Body | undefined {
  if (value === MISSING) return undefined
  if (!(value instanceof Map)) {
    errors[name] = [MSG.notADict(value)]
    return undefined
  }
  return value
}

// Errors are keyed by path (`action.status`), like the snapshot's: flat lists of strings.
function readMatch (value: Input, errors: ValidationErrors): FaultRule['match'] {
  const match = asDict(value, errors, 'match')
  if (match === undefined) return {}
  const out: FaultRule['match'] = {}
  const method = field(match, 'method')
  if (method !== MISSING) {
    if (typeof method !== 'string' || !TOKEN.test(method)) errors['match.method'] = ['Enter an HTTP method such as "POST".']
    else out.method = method.toUpperCase()
  }
  const path = field(match, 'path')
  if (path !== MISSING) {
    if (typeof path !== 'string' || !path.startsWith('/') || path.length > 2048) errors['match.path'] = ['Enter a path starting with "/" (a trailing "*" matches any rest).']
    else out.path = path
  }
  return out
}

/** The action, and the exact JSON text of its body when it has one. */
function readAction (value: Input, errors: ValidationErrors): { action: FaultAction, answer?: string } {
  if (value === MISSING) {
    errors.action = ['This field is required.']
    return { action: {} }
  }
  const action = asDict(value, errors, 'action')
  if (action === undefined) return { action: {} }
  const before = Object.keys(errors).length
  const out: FaultAction = {}
  const status = integerField(field(action, 'status'), { min: 200, max: 599, required: false })
  if (!status.ok) errors['action.status'] = status.errors
  else if (status.value !== null) out.status = status.value
  const delay = integerField(field(action, 'delay_ms'), { min: 0, max: MAX_DELAY_MS, required: false })
  if (!delay.ok) errors['action.delay_ms'] = delay.errors
  else if (delay.value !== null) out.delay_ms = delay.value
  for (const flag of ['drop_connection', 'after_commit'] as const) {
    const v = field(action, flag)
    if (v === MISSING || v === false) continue
    if (v !== true) errors[`action.${flag}`] = ['Must be a valid boolean.']
    else out[flag] = true
  }
  const body = field(action, 'body')
  let answer: { answer?: string } = {}
  if (body !== MISSING) {
    const text = unrenderable(body) === null ? dumps(body) : null
    if (text === null) errors['action.body'] = [MSG.invalidJson]
    else if (Buffer.byteLength(text) > MAX_FAULT_BODY_BYTES) errors['action.body'] = [`Ensure this field has no more than ${MAX_FAULT_BODY_BYTES} bytes when written as JSON.`]
    else {
      out.body = toJs(body)
      answer = { answer: text }
    }
  }
  const headers = asDict(field(action, 'headers'), errors, 'action.headers')
  if (headers !== undefined) {
    const problems = [...headers].map(([name, value]) => headerProblem(name, value)).filter(p => p !== null)
    let bytes = 0
    for (const [name, value] of headers) bytes += Buffer.byteLength(name) + (typeof value === 'string' ? Buffer.byteLength(value) : 0)
    if (bytes > MAX_FAULT_HEADER_BYTES) problems.push(`Ensure the headers have no more than ${MAX_FAULT_HEADER_BYTES} bytes, names and values together.`)
    if (problems.length > 0) errors['action.headers'] = problems
    else out.headers = Object.fromEntries(headers) as Record<string, string>
  }
  if (Object.keys(errors).length > before) return { action: out, ...answer }
  const problems: string[] = []
  if (out.status === undefined && out.drop_connection === undefined && out.delay_ms === undefined) {
    problems.push('An action needs "status", "drop_connection" or "delay_ms".')
  }
  if (out.status !== undefined && out.drop_connection !== undefined) problems.push('"status" and "drop_connection" exclude each other.')
  if ((out.body !== undefined || out.headers !== undefined) && out.status === undefined) problems.push('"body" and "headers" go with "status".')
  if (out.after_commit !== undefined && out.status === undefined && out.drop_connection === undefined) {
    problems.push('"after_commit" needs "status" or "drop_connection".')
  }
  if (problems.length > 0) errors.action = problems
  return { action: out, ...answer }
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
export function faultRecord (effect: FaultEffect) {
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

export type FaultRecord = ReturnType<typeof faultRecord>

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
      const errors: ValidationErrors = {}
      const match = readMatch(field(body, 'match'), errors)
      const { action, answer } = readAction(field(body, 'action'), errors)
      const times = integerField(field(body, 'times'), { min: 0, max: 1_000_000, required: false })
      if (!times.ok) errors.times = times.errors
      if (Object.keys(errors).length > 0) return invalid(errors)
      if (rules.length >= MAX_RULES) return invalid({ non_field_errors: [`At most ${MAX_RULES} fault rules; delete some first.`] })
      const rule: FaultRule = {
        id: `flt_${++seq}`,
        answer: answer ?? JSON.stringify(defaultFaultBody(action.status ?? 500)),
        match,
        action,
        times: times.ok && times.value !== null ? times.value : 1,
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
