// The request journal: every request to the emulated API, as the client sent it and as it was answered, in a
// ring of JOURNAL_SIZE entries (memory stays flat however long the emulator runs). Bodies are kept as text, up
// to BODY_LIMIT each (copied, so a cut never keeps the whole body alive), and parsed only when read.
import type { Partition, Scope } from './partition.js'

/** The most of each request and response body the journal keeps. */
export const BODY_LIMIT = 16 * 1024

export interface Fault { rule: string, action: Record<string, unknown> }

/** A body as the journal keeps it: at most BODY_LIMIT characters of text. */
export interface Captured { text: string, bytes: number, truncated: boolean }

export function captureText (text: string, bytes = Buffer.byteLength(text)): Captured {
  // a cut body is copied: a slice would keep the whole original alive
  return text.length > BODY_LIMIT
    ? { text: Buffer.from(text.slice(0, BODY_LIMIT)).toString(), bytes, truncated: true }
    : { text, bytes, truncated: false }
}

export function captureBytes (buf: Buffer): Captured {
  return captureText(buf.toString('utf8', 0, Math.min(buf.length, BODY_LIMIT * 4)), buf.length)
}

export interface Entry {
  seq: number
  time: number
  method: string
  path: string
  query: string | null
  headers: Record<string, string>
  workspace: string | null
  testMode: boolean | null
  requestBody: Captured | null
  status: number | null
  responseBody: Captured | null
  durationMs: number
  possibleDuplicate: boolean
  fault: Fault | null
  /** the refund this answer created, for the duplicate detector */
  duplicateKey: string | null
}

export interface JournalFilter {
  method?: string
  path?: string
  status?: number
}

/** `Token …abcd`: enough to tell tokens apart, never enough to use one (short tokens show nothing). */
export function redactAuthorization (value: string): string {
  const [keyword = '', ...rest] = value.trim().split(/\s+/)
  const token = rest.join(' ')
  return `${keyword} …${token.length >= 8 ? token.slice(-4) : ''}`
}

/** The body as JSON when it parses, else as text; a truncated one as {truncated, bytes, text}. */
function body (captured: Captured | null): unknown {
  if (captured === null) return null
  if (captured.truncated) return { truncated: true, bytes: captured.bytes, text: captured.text }
  try {
    return JSON.parse(captured.text)
  } catch {
    return captured.text
  }
}

function formatTime (ms: number): string {
  return new Date(ms).toISOString()
}

export function entryBody (e: Entry) {
  return {
    id: `req_${String(e.seq).padStart(8, '0')}`,
    time: formatTime(e.time),
    method: e.method,
    path: e.path,
    query: e.query,
    workspace: e.workspace,
    test_mode: e.testMode,
    request: { headers: e.headers, body: body(e.requestBody) },
    response: e.status === null ? null : { status: e.status, body: body(e.responseBody) },
    duration_ms: Math.round(e.durationMs * 1000) / 1000,
    possible_duplicate: e.possibleDuplicate,
    fault: e.fault
  }
}

export type EntryBody = ReturnType<typeof entryBody>

export interface Journal {
  readonly size: number
  add(entry: Omit<Entry, 'seq' | 'possibleDuplicate'>): Entry | null
  /** newest first: how many entries of the scope match, and the first `limit` of them */
  list(scope: Scope, filter: JournalFilter, limit: number): { count: number, entries: Entry[] }
  clear(scope: Scope): number
}

const inScope = (e: Entry, s: Scope): boolean =>
  (s.workspace === null || e.workspace === s.workspace) && (s.testMode === null || e.testMode === s.testMode)

const matches = (e: Entry, f: JournalFilter): boolean =>
  (f.method === undefined || e.method === f.method) &&
  (f.path === undefined || e.path === f.path) &&
  (f.status === undefined || e.status === f.status)

/**
 * A ring of `size` entries. The duplicate detector remembers, per (partition, payment, amount, receipt), the last
 * succeeded refund still in the ring: a second one within `duplicateWindowMs` marks both.
 */
export function createJournal (size: number, duplicateWindowMs: number): Journal {
  const ring: Array<Entry | undefined> = new Array<Entry | undefined>(size)
  let next = 0
  let seq = 0
  const lastRefund = new Map<string, Entry>()

  function forget (old: Entry | undefined): void {
    if (old?.duplicateKey != null && lastRefund.get(old.duplicateKey) === old) lastRefund.delete(old.duplicateKey)
  }

  return {
    size,
    add (fields) {
      if (size === 0) return null
      // spelled out rather than spread: one object shape, built without a copy loop (the journal is on every request)
      const entry: Entry = {
        seq: ++seq,
        time: fields.time,
        method: fields.method,
        path: fields.path,
        query: fields.query,
        headers: fields.headers,
        workspace: fields.workspace,
        testMode: fields.testMode,
        requestBody: fields.requestBody,
        status: fields.status,
        responseBody: fields.responseBody,
        durationMs: fields.durationMs,
        possibleDuplicate: false,
        fault: fields.fault,
        duplicateKey: fields.duplicateKey
      }
      const slot = next
      forget(ring[slot])
      ring[slot] = entry
      next = (slot + 1) % size
      if (entry.duplicateKey !== null) {
        const previous = lastRefund.get(entry.duplicateKey)
        if (previous !== undefined && entry.time - previous.time <= duplicateWindowMs) {
          previous.possibleDuplicate = true
          entry.possibleDuplicate = true
        }
        lastRefund.set(entry.duplicateKey, entry)
      }
      return entry
    },
    list (scope, filter, limit) {
      const entries: Entry[] = []
      let count = 0
      for (let i = 1; i <= size; i++) {
        const e = ring[(next - i + size) % size]
        if (e === undefined) break
        if (!inScope(e, scope) || !matches(e, filter)) continue
        count++
        if (entries.length < limit) entries.push(e)
      }
      return { count, entries }
    },
    clear (scope) {
      if (size === 0) return 0
      let removed = 0
      const kept: Entry[] = []
      for (let i = 0; i < size; i++) {
        const e = ring[(next + i) % size]
        if (e === undefined) continue
        if (inScope(e, scope)) {
          removed++
          forget(e)
        } else {
          kept.push(e)
        }
      }
      ring.fill(undefined)
      kept.forEach((e, i) => { ring[i] = e })
      next = kept.length % size
      return removed
    }
  }
}

/** The duplicate detector's key for a created refund, or null for anything else. */
export function duplicateKey (p: Partition, refund: { payment: number, amount: number, receipt: string, status: string }): string | null {
  if (refund.status !== 'succeeded') return null
  return JSON.stringify([p.workspace, p.testMode, refund.payment, refund.amount, refund.receipt])
}
