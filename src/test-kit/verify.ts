// POST /__admin/requests/verify: assertions a test makes about what its client sent, on the journal — WireMock's
// verify() with its near misses, MockServer's counts and waits. A match names what must be equal (method, path,
// status or status class, headers, body fields as a subset); the answer says whether the count holds, in words,
// and when it does not, the closest requests field by field. With wait_ms the answer waits: for `at_least` until
// the count holds, for `exactly` and `at_most` until the time is up (a later request could still break them).
import { MSG, primaryKeyField, type Input } from '../drf/fields.js'
import { pyDecimal, pyStr } from '../python/python.js'
import { invalid, type ApiError } from '../errors.js'
import { decode } from '../schemas/kinds.js'
import { VerifySchema } from '../schemas/test-kit.js'
import { Problems, schemaReader } from '../schemas/validate.js'
import { field, type Body } from '../serializers/common.js'
import { dumps, loads, PyFloat, type PyDict, type PyValue } from '../python/json.js'
import { redactHeader } from '../redact.js'
import type { Entry, Journal } from './journal.js'
import { inScope, type Scope } from '../partition.js'
import { entryId } from './journal-json.js'

/** How many verify calls may wait at once (the longest each waits: VerifySchema's wait_ms). */
export const MAX_WAITING = 100

export type Count = { exactly: number } | { at_least: number } | { at_most: number }

/** A match, read (src/schemas/test-kit.ts VerifySchema): every named field must be equal. */
export interface Match {
  method?: string
  /** exact, or a prefix ending in `*` */
  path?: string
  /** a status, or a class: 4 for "4xx" */
  status?: { exact: number } | { class: number }
  /** lower-cased names; values compared as the journal keeps them (credentials redacted) */
  headers?: ReadonlyArray<[string, string]>
  /** body fields as the body gave them: payment and amount compared as DRF reads them, metadata as a subset */
  body?: PyDict
}

interface Difference { field: string, expected: string, actual: string | null }
interface NearMiss { id: string, method: string, path: string, status: number | null, differences: Difference[] }
export interface Verdict { ok: boolean, count: number, expected: string, message: string, near_misses: NearMiss[] }

const text = (v: PyValue | undefined): string | null => v === undefined ? null : typeof v === 'string' ? v : dumps(v)

/**
 * An amount as a decimal written with at least two places (`30`, `30.0`, `"30.00"` and `"30.000"` are all 30.00;
 * `30.005` stays 30.005, which no stored amount equals), or null for what is no number.
 */
function money (v: PyValue | undefined): string | null {
  if (v === undefined || v === null || typeof v === 'boolean' || (typeof v === 'object' && !(v instanceof PyFloat))) return null
  const dec = pyDecimal(pyStr(v))
  if (dec === null || Math.abs(dec.exponent) > 20) return null
  let whole: string
  let fraction: string
  if (dec.exponent >= 0) {
    whole = dec.digits + '0'.repeat(dec.exponent)
    fraction = ''
  } else {
    const digits = dec.digits.padStart(1 - dec.exponent, '0')
    whole = digits.slice(0, digits.length + dec.exponent)
    fraction = digits.slice(digits.length + dec.exponent)
  }
  let end = fraction.length
  while (end > 0 && fraction.charCodeAt(end - 1) === 0x30) end--
  return `${dec.negative ? '-' : ''}${whole.replace(/^0+(?=\d)/, '')}.${fraction.slice(0, end).padEnd(2, '0')}`
}

/** A payment id as DRF's primary key field reads it (`7`, `"7"`, `7.0`), or null. */
function pk (v: PyValue | undefined): string | null {
  if (v === undefined) return null
  const read = primaryKeyField(v as Input)
  return read.ok && read.id !== null ? String(read.id) : null
}

/** `expected` ⊆ `actual`: every key of a dict there and equal (recursively), anything else equal as JSON. */
function subset (expected: PyValue, actual: PyValue | undefined): boolean {
  if (expected instanceof Map) {
    if (!(actual instanceof Map)) return false
    for (const [k, v] of expected) if (!subset(v, actual.get(k))) return false
    return true
  }
  if (actual === undefined) return false
  // numbers compare by value (1 and 1.0 are one number to a client)
  const num = (x: PyValue): number | null => typeof x === 'number' ? x : x instanceof PyFloat ? x.value : null
  if (num(expected) !== null && num(actual) !== null) return num(expected) === num(actual)
  return dumps(expected) === dumps(actual)
}

const pathMatches = (pattern: string, path: string): boolean => pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern

/** The body a journal entry keeps, read back; null when there is none or it was cut (too large to compare). */
function bodyOf (e: Entry): PyValue | null {
  if (e.requestBody === null || e.requestBody.truncated) return null
  try {
    return loads(e.requestBody.text)
  } catch {
    return null
  }
}

/** What an entry differs in from the match, field by field (none: it matches). */
function differences (m: Match, e: Entry): Difference[] {
  const out: Difference[] = []
  if (m.method !== undefined && m.method.toUpperCase() !== e.method) out.push({ field: 'method', expected: m.method.toUpperCase(), actual: e.method })
  if (m.path !== undefined && !pathMatches(m.path, e.path)) out.push({ field: 'path', expected: m.path, actual: e.path })
  if (m.status !== undefined) {
    const want = 'exact' in m.status ? String(m.status.exact) : `${m.status.class}xx`
    const ok = e.status !== null && ('exact' in m.status ? e.status === m.status.exact : Math.floor(e.status / 100) === m.status.class)
    if (!ok) out.push({ field: 'status', expected: want, actual: e.status === null ? null : String(e.status) })
  }
  for (const [name, value] of m.headers ?? []) {
    const actual = e.headers[name]
    if (actual !== redactHeader(name, value)) out.push({ field: `headers.${name}`, expected: redactHeader(name, value), actual: actual ?? null })
  }
  if (m.body !== undefined && m.body.size > 0) {
    const body = bodyOf(e)
    const got = body instanceof Map ? body : undefined
    for (const [name, want] of m.body) {
      const have = got?.get(name)
      const field = `body.${name}`
      if (name === 'amount') {
        if (money(want) !== money(have) || have === undefined) out.push({ field, expected: money(want) as string, actual: money(have) ?? text(have) })
      } else if (name === 'payment') {
        if (pk(want) !== pk(have) || have === undefined) out.push({ field, expected: pk(want) as string, actual: pk(have) ?? text(have) })
      } else if (!subset(want, have)) {
        out.push({ field, expected: text(want) as string, actual: text(have) })
      }
    }
  }
  return out
}

/** The count in words: "at least 1 request", "exactly 2 requests". */
function countWords (count: Count): string {
  const [word, n] = 'exactly' in count ? ['exactly', count.exactly] : 'at_least' in count ? ['at least', count.at_least] : ['at most', count.at_most]
  return `${word} ${n} request${n === 1 ? '' : 's'}`
}

/** The match in words ('' for any request): `POST /refunds/ status=4xx headers.x-simple-workspace=acc_1 body.amount=30.00`. */
function describe (m: Match): string {
  const parts: string[] = []
  if (m.method !== undefined) parts.push(m.method.toUpperCase())
  if (m.path !== undefined) parts.push(m.path)
  if (m.status !== undefined) parts.push(`status=${'exact' in m.status ? m.status.exact : `${m.status.class}xx`}`)
  for (const [name, value] of m.headers ?? []) parts.push(`headers.${name}=${redactHeader(name, value)}`)
  for (const [name, want] of m.body ?? new Map<string, PyValue>()) {
    // (readVerify refused an amount or a payment it cannot read)
    parts.push(`body.${name}=${name === 'amount' ? money(want) as string : name === 'payment' ? pk(want) as string : text(want)}`)
  }
  return parts.join(' ')
}

const holds = (count: Count, n: number): boolean =>
  'exactly' in count ? n === count.exactly : 'at_least' in count ? n >= count.at_least : n <= count.at_most

/** The verdict on the journal's entries (newest first): the count, the condition in words, the closest misses. */
function verdict (m: Match, count: Count, entries: readonly Entry[]): Verdict {
  const misses: Array<{ e: Entry, d: Difference[] }> = []
  let n = 0
  for (const e of entries) {
    const d = differences(m, e)
    if (d.length === 0) n++
    else misses.push({ e, d })
  }
  const ok = holds(count, n)
  const words = describe(m)
  const expected = words === '' ? countWords(count) : `${countWords(count)} matching ${words}`
  // near misses help only when too few matched: closest (fewest differences) first, then the newest
  const near = ok || ('at_most' in count) || ('exactly' in count && n > count.exactly)
    ? []
    : misses.map((x, i) => ({ ...x, i })).sort((a, b) => a.d.length - b.d.length || a.i - b.i).slice(0, 3)
      .map(({ e, d }) => ({ id: entryId(e.seq), method: e.method, path: e.path, status: e.status, differences: d }))
  const closest = near.map(x => `${x.id} ${x.method} ${x.path} ${x.status ?? 'no answer'} — ${x.differences.map(d => `${d.field} expected ${d.expected}, was ${d.actual ?? 'missing'}`).join(', ')}`)
  const message = ok
    ? `${n} ${n === 1 ? 'request' : 'requests'}: ${expected}, as expected.`
    : `Expected ${expected}; got ${n}.${closest.length === 0 ? '' : ` Closest: ${closest.join('; ')}`}`
  return { ok, count: n, expected, message, near_misses: near }
}

const readShape = schemaReader(VerifySchema)

/** A verify body, read as VerifySchema says, then what it cannot say: one count, header values, a valid amount. */
export function readVerify (body: Body): { match: Match, count: Count, waitMs: number } | ApiError {
  const checked = readShape(body)
  const problems = checked.ok ? new Problems(VerifySchema) : checked.problems
  const m = field(body, 'match')
  const c = field(body, 'count')
  const given = c instanceof Map ? [...c.keys()].filter(k => k === 'exactly' || k === 'at_least' || k === 'at_most') : []
  if (c instanceof Map && given.length !== 1 && !problems.within(['count'])) problems.add(['count'], 'Give one of "exactly", "at_least" or "at_most".')
  const match: Match = {}
  if (m instanceof Map) {
    const headers = field(m, 'headers')
    if (headers instanceof Map) {
      for (const [name, value] of headers) if (typeof value !== 'string') problems.add(['match', 'headers', name], MSG.notAString)
      match.headers = [...headers].map(([name, value]) => [name.toLowerCase(), value as string])
    }
    const b = field(m, 'body')
    if (b instanceof Map) {
      if (b.has('amount') && money(b.get('amount')) === null) problems.add(['match', 'body', 'amount'], MSG.invalidNumber)
      if (b.has('payment') && pk(b.get('payment')) === null) problems.add(['match', 'body', 'payment'], 'Enter a payment id.')
      match.body = b
    }
  }
  if (!checked.ok || problems.count > 0) return invalid(problems.errors)
  const shape = checked.value.match ?? {}
  if (shape.method !== undefined) match.method = shape.method
  if (shape.path !== undefined) match.path = shape.path
  const status = m instanceof Map ? decode(VerifySchema.properties.match.properties.status, field(m, 'status')) : null
  if (status !== null) match.status = status
  const key = given[0] as 'exactly' | 'at_least' | 'at_most' | undefined
  const count: Count = key === undefined ? { at_least: 1 } : { [key]: decode(VerifySchema.properties.count.properties[key], field(c as Body, key)) as number } as Count
  return { match, count, waitMs: decode(VerifySchema.properties.wait_ms, field(body, 'wait_ms')) ?? 0 }
}

/**
 * Verify calls that wait, bounded in number: each is answered as soon as its condition holds (`at_least`), when its
 * time is up, or when the server closes — never left hanging.
 */
export function createVerifier (journal: Journal) {
  const waiting = new Set<() => void>()

  return {
    /** The verdict for `match` over the scope's entries, waiting up to `waitMs`; null when too many already wait. */
    async verify (scope: Scope, match: Match, count: Count, waitMs: number): Promise<Verdict | null> {
      const now = (): Verdict => verdict(match, count, journal.list(scope, {}))
      const first = now()
      const early = 'at_least' in count
      if (waitMs === 0 || (early && first.ok)) return first
      if (waiting.size >= MAX_WAITING) return null
      await new Promise<void>(resolve => {
        const done = (): void => {
          clearTimeout(timer)
          stop()
          waiting.delete(done)
          resolve()
        }
        const timer = setTimeout(done, waitMs)
        // a request inside the scope may be the one awaited: the condition is looked at again
        const stop = journal.subscribe(entry => {
          if (early && inScope(scope, entry.workspace, entry.testMode) && now().ok) done()
        })
        waiting.add(done)
      })
      return now()
    },
    /** Answers every waiting call now (the server is closing). */
    close (): void {
      for (const done of [...waiting]) done()
    }
  }
}
