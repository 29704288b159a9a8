// GET /__admin/requests: its query (?method=&path=&status=&limit=&before=, read with DRF's field rules) and the
// page it answers, bounded in bytes.
import { invalid, type ApiError } from '../errors.js'
import type { PyDict } from '../python/json.js'
import { decode } from '../schemas/kinds.js'
import { JournalQuery } from '../schemas/test-kit.js'
import { schemaReader } from '../schemas/validate.js'
import { field } from '../serializers/common.js'
import { entryId, entryJson, seqOf } from './journal-json.js'
import type { Entry, JournalFilter } from './journal.js'

const DEFAULT_LIMIT = 100

const readShape = schemaReader(JournalQuery)
const FIELDS = JournalQuery.properties

/** A query as the value model has it: each parameter's last value, when it is repeated. */
function queryDict (query: unknown): PyDict {
  const dict: PyDict = new Map()
  for (const [name, v] of Object.entries(query as Record<string, string | string[]>)) dict.set(name, Array.isArray(v) ? v[v.length - 1] as string : v)
  return dict
}

export interface PageQuery { filter: JournalFilter, limit: number, before: number | null }

/** ?method=&path=&status=&limit=&before= of GET /__admin/requests, as JournalQuery says; field-keyed errors. */
export function readJournalQuery (query: unknown, defaultLimit = DEFAULT_LIMIT): PageQuery | ApiError {
  const q = queryDict(query)
  const checked = readShape(q)
  if (!checked.ok) return invalid(checked.problems.errors)
  const { method, path, before } = checked.value
  const status = decode(FIELDS.status, field(q, 'status'))
  const filter: JournalFilter = {}
  if (method !== undefined && method !== '') filter.method = method.toUpperCase()
  if (path !== undefined && path !== '') filter.path = path
  if (status !== null) filter.status = status
  return { filter, limit: decode(FIELDS.limit, field(q, 'limit')) ?? defaultLimit, before: before === undefined ? null : seqOf(before) }
}

/** The URL of the page after `seq`: the same query with `before` set. */
function nextPage (url: string, seq: number): string {
  const q = url.indexOf('?')
  const params = q < 0 ? [] : url.slice(q + 1).split('&').filter(p => p !== '' && !p.startsWith('before='))
  params.push(`before=${entryId(seq)}`)
  return `${q < 0 ? url : url.slice(0, q)}?${params.join('&')}`
}

/**
 * The most a page of the journal may hold, in bytes of JSON: no larger than the smallest JOURNAL_MAX_BYTES, and
 * small enough that reading a full journal back (page by page) leaves the memory near where it was.
 */
export const JOURNAL_PAGE_BYTES = 1024 * 1024

/** Where the entries of a query start: the first one older than `before`. */
function firstIndex (entries: readonly Entry[], before: number | null): number {
  const i = before === null ? 0 : entries.findIndex(e => e.seq < before)
  return i < 0 ? entries.length : i
}

/** The entries a query selects (`limit` of them from `before` on), oldest first. */
export function * selectedOldestFirst (entries: readonly Entry[], q: PageQuery): Generator<Entry> {
  const from = firstIndex(entries, q.before)
  for (let i = Math.min(entries.length, from + q.limit) - 1; i >= from; i--) yield entries[i] as Entry
}

/**
 * A page of the journal as JSON text: up to `limit` entries from before `before`, and never more than `budget`
 * bytes of them (the first entry always goes in: one entry is far smaller). `next` continues where it stopped.
 */
export function journalPage (entries: readonly Entry[], q: PageQuery, budget: number, url: string): string {
  let i = firstIndex(entries, q.before)
  const parts: string[] = []
  let bytes = 0
  for (; i < entries.length && parts.length < q.limit; i++) {
    const json = entryJson(entries[i] as Entry)
    const cost = Buffer.byteLength(json) + 1
    if (parts.length > 0 && bytes + cost > budget) break
    parts.push(json)
    bytes += cost
  }
  const next = i < entries.length && parts.length > 0 ? nextPage(url, (entries[i - 1] as Entry).seq) : null
  return `{"count":${entries.length},"next":${JSON.stringify(next)},"results":[${parts.join(',')}]}`
}
