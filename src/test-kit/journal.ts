// The request journal: every request to the emulated API, as the client sent it and as it was answered. It is
// bounded twice — at most JOURNAL_SIZE entries and at most JOURNAL_MAX_BYTES of memory, the oldest entries going
// first — and each entry is bounded too: bodies are kept up to JOURNAL_BODY_CHARS, header values up to
// JOURNAL_HEADER_CHARS (both copied when cut, so a cut never keeps the whole original alive), so that one request
// cannot push out all the others. Credentials are redacted before anything is kept (src/redact.ts).
import { MAX_NESTING_DEPTH } from '../drf/json.js'
import type { FaultRecord } from './faults.js'
import { inScope, type Partition, type Scope } from '../partition.js'

/** The most of each request and response body an entry keeps, in characters. */
export const JOURNAL_BODY_CHARS = 16 * 1024
/** The most of each header value an entry keeps, in characters; a longer value is cut and marked. */
const JOURNAL_HEADER_CHARS = 1024

/** A body as the journal keeps it: at most JOURNAL_BODY_CHARS characters of text. */
export interface Captured {
  text: string
  bytes: number
  truncated: boolean
  /** what the text costs in memory (V8 keeps text with any character above U+00FF at two bytes a character) */
  size: number
}

// what V8 spends on a string besides its characters, and on an entry besides its strings (generous estimates)
const STRING_OVERHEAD = 32
const ENTRY_OVERHEAD = 512
const HEADER_OVERHEAD = 64
const FAULT_OVERHEAD = 256

const copy = (text: string): string => Buffer.from(text).toString()

/** `partial`: the text is only the start of a longer one (`bytes` long). */
export function captureText (text: string, bytes = Buffer.byteLength(text), partial = false): Captured {
  const cut = partial || text.length > JOURNAL_BODY_CHARS
  const kept = cut ? copy(text.slice(0, JOURNAL_BODY_CHARS)) : text
  // an all-ASCII text (as many bytes as characters) is one byte a character; anything else is counted at two
  const wide = cut ? Buffer.byteLength(kept) !== kept.length : bytes !== text.length
  return { text: kept, bytes, truncated: cut, size: STRING_OVERHEAD + kept.length * (wide ? 2 : 1) }
}

export function captureBytes (buf: Buffer): Captured {
  return captureText(buf.toString('utf8', 0, Math.min(buf.length, JOURNAL_BODY_CHARS * 4)), buf.length)
}

/**
 * A header value as an entry keeps it: whole up to JOURNAL_HEADER_CHARS, else its start and
 * `…[truncated: N bytes]`. Node hands header values over as latin-1 text, one byte a character.
 */
export function captureHeader (value: string): string {
  if (value.length <= JOURNAL_HEADER_CHARS) return value
  return `${copy(value.slice(0, JOURNAL_HEADER_CHARS))}…[truncated: ${value.length} bytes]`
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
  /** the answer an after-commit fault replaced or dropped: the handler's own */
  hiddenResponse: { status: number, body: Captured } | null
  durationMs: number
  possibleDuplicate: boolean
  fault: FaultRecord | null
  /** the refund this answer created, for the duplicate detector */
  duplicateKey: string | null
  /** what the entry costs in memory, as the byte budget counts it */
  size: number
}

type NewEntry = Omit<Entry, 'seq' | 'possibleDuplicate' | 'size'>

/** What an entry costs in memory: its strings, its headers and a fixed overhead for the objects around them. */
function entrySize (e: NewEntry): number {
  let size = ENTRY_OVERHEAD + e.method.length + e.path.length + (e.query?.length ?? 0) + (e.workspace?.length ?? 0) +
    (e.requestBody?.size ?? 0) + (e.responseBody?.size ?? 0) + (e.hiddenResponse?.body.size ?? 0) + (e.duplicateKey?.length ?? 0) * 2
  for (const name in e.headers) size += HEADER_OVERHEAD + name.length + (e.headers[name] as string).length
  if (e.fault !== null) size += FAULT_OVERHEAD + e.fault.rules.length * STRING_OVERHEAD
  return size
}

export interface JournalFilter {
  method?: string
  path?: string
  status?: number
}

export const entryId = (seq: number): string => `req_${String(seq).padStart(8, '0')}`

const ENTRY_ID = /^req_(\d{1,15})$/

/** The seq of an entry id (`req_00000042` → 42), or null. */
export function seqOf (id: string): number | null {
  const m = ENTRY_ID.exec(id)
  return m === null ? null : Number(m[1])
}

/** A journal entry as GET /__admin/requests answers it. */
export interface JournalEntry {
  id: string
  time: string
  method: string
  path: string
  query: string | null
  workspace: string | null
  test_mode: boolean | null
  request: { headers: Record<string, string>, body: unknown }
  response: { status: number, body: unknown } | null
  /** the answer an after-commit fault replaced or dropped (the refund it stored, or the 400) */
  hidden_response: { status: number, body: unknown } | null
  duration_ms: number
  possible_duplicate: boolean
  fault: FaultRecord | null
}

const enum Ch { Tab = 0x09, Newline = 0x0a, Return = 0x0d, Space = 0x20, Quote = 0x22, Backslash = 0x5c, Open = 0x5b, Brace = 0x7b, Close = 0x5d, CloseBrace = 0x7d }

/**
 * Valid JSON text without the whitespace between its tokens (a pretty-printed body, an indented answer), so an
 * entry is one line; null when it nests deeper than `maxDepth` (it is kept as a string then). One pass.
 */
function compactJson (json: string, maxDepth: number): string | null {
  let out = ''
  let from = 0
  let depth = 0
  let inString = false
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i)
    if (inString) {
      if (c === Ch.Backslash) i++
      else if (c === Ch.Quote) inString = false
    } else if (c === Ch.Quote) {
      inString = true
    } else if (c === Ch.Open || c === Ch.Brace) {
      if (++depth > maxDepth) return null
    } else if (c === Ch.Close || c === Ch.CloseBrace) {
      depth--
    } else if (c === Ch.Space || c === Ch.Newline || c === Ch.Return || c === Ch.Tab) {
      out += json.slice(from, i)
      from = i + 1
    }
  }
  return from === 0 ? json : out + json.slice(from)
}

/**
 * A body as JSON text: the text itself when it is JSON (so numbers and key order read as they were sent and
 * answered: 25.0 stays 25.0), without the whitespace between tokens (a JOURNAL_FILE has one entry a line), and no
 * deeper than the API reads bodies (so `piriod-mock har` reads every line); else as a string; a truncated one as
 * {truncated, bytes, text}.
 */
function bodyJson (captured: Captured | null): string {
  if (captured === null) return 'null'
  if (captured.truncated) return JSON.stringify({ truncated: true, bytes: captured.bytes, text: captured.text })
  try {
    JSON.parse(captured.text)
  } catch {
    return JSON.stringify(captured.text)
  }
  return compactJson(captured.text, MAX_NESTING_DEPTH) ?? JSON.stringify(captured.text)
}

/** An entry as JSON text, in JournalEntry's shape. */
export function entryJson (e: Entry): string {
  const response = e.status === null ? 'null' : `{"status":${e.status},"body":${bodyJson(e.responseBody)}}`
  return `{"id":"${entryId(e.seq)}","time":"${new Date(e.time).toISOString()}","method":${JSON.stringify(e.method)},` +
    `"path":${JSON.stringify(e.path)},"query":${JSON.stringify(e.query)},"workspace":${JSON.stringify(e.workspace)},` +
    `"test_mode":${JSON.stringify(e.testMode)},"request":{"headers":${JSON.stringify(e.headers)},"body":${bodyJson(e.requestBody)}},` +
    `"response":${response},"hidden_response":${e.hiddenResponse === null ? 'null' : `{"status":${e.hiddenResponse.status},"body":${bodyJson(e.hiddenResponse.body)}}`},"duration_ms":${Math.round(e.durationMs * 1000) / 1000},"possible_duplicate":${String(e.possibleDuplicate)},` +
    `"fault":${JSON.stringify(e.fault)}}`
}

export interface Journal {
  /** JOURNAL_SIZE */
  readonly size: number
  /** whether requests are recorded: kept in memory (size > 0), written out (onAdd), or both */
  readonly recording: boolean
  /** JOURNAL_MAX_BYTES */
  readonly maxBytes: number
  /** entries kept, and what they cost */
  readonly stats: { entries: number, bytes: number }
  add(entry: NewEntry): Entry | null
  /** the scope's entries that match the filter, newest first */
  list(scope: Scope, filter: JournalFilter): Entry[]
  clear(scope: Scope): number
}

export interface JournalOptions {
  size: number
  maxBytes: number
  duplicateWindowMs: number
  /** told about every entry as it is recorded, marks included (JOURNAL_FILE); also when size is 0 */
  onAdd?: (entry: Entry) => void
}

const matches = (e: Entry, f: JournalFilter): boolean =>
  (f.method === undefined || e.method === f.method) &&
  (f.path === undefined || e.path === f.path) &&
  (f.status === undefined || e.status === f.status)

/**
 * A ring of up to `size` entries that also evicts its oldest ones to stay within `maxBytes`. The duplicate
 * detector remembers, per (partition, payment, amount, receipt), the last succeeded refund still in the ring: a
 * second one within `duplicateWindowMs` marks both.
 */
export function createJournal ({ size, maxBytes, duplicateWindowMs, onAdd }: JournalOptions): Journal {
  const ring: Array<Entry | undefined> = new Array<Entry | undefined>(size)
  let head = 0 // the oldest entry
  let count = 0
  let bytes = 0
  let seq = 0
  const lastRefund = new Map<string, Entry>()

  const at = (i: number): Entry => ring[(head + i) % size] as Entry

  function forget (old: Entry): void {
    if (old.duplicateKey !== null && lastRefund.get(old.duplicateKey) === old) lastRefund.delete(old.duplicateKey)
  }

  function evictOldest (): void {
    const old = at(0)
    ring[head] = undefined
    head = (head + 1) % size
    count--
    bytes -= old.size
    forget(old)
  }

  return {
    size,
    recording: size > 0 || onAdd !== undefined,
    maxBytes,
    get stats () { return { entries: count, bytes } },
    add (fields) {
      if (!this.recording) return null
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
        hiddenResponse: fields.hiddenResponse,
        fault: fields.fault,
        duplicateKey: fields.duplicateKey,
        size: entrySize(fields)
      }
      if (size === 0) {
        onAdd?.(entry)
        return null
      }
      while (count > 0 && (count === size || bytes + entry.size > maxBytes)) evictOldest()
      ring[(head + count) % size] = entry
      count++
      bytes += entry.size
      if (entry.duplicateKey !== null) {
        const previous = lastRefund.get(entry.duplicateKey)
        if (previous !== undefined && entry.time - previous.time <= duplicateWindowMs) {
          previous.possibleDuplicate = true
          entry.possibleDuplicate = true
        }
        lastRefund.set(entry.duplicateKey, entry)
      }
      onAdd?.(entry)
      return entry
    },
    list (scope, filter) {
      const entries: Entry[] = []
      for (let i = count - 1; i >= 0; i--) {
        const e = at(i)
        if (inScope(scope, e.workspace, e.testMode) && matches(e, filter)) entries.push(e)
      }
      return entries
    },
    clear (scope) {
      const kept: Entry[] = []
      let removed = 0
      for (let i = 0; i < count; i++) {
        const e = at(i)
        if (inScope(scope, e.workspace, e.testMode)) {
          removed++
          forget(e)
        } else {
          kept.push(e)
        }
      }
      ring.fill(undefined)
      kept.forEach((e, i) => { ring[i] = e })
      head = 0
      count = kept.length
      bytes = kept.reduce((sum, e) => sum + e.size, 0)
      return removed
    }
  }
}

/** The duplicate detector's key for a created refund, or null for anything else. */
export function duplicateKey (p: Partition, refund: { paymentId: number, amount: number, receipt: string, status: string }): string | null {
  if (refund.status !== 'succeeded') return null
  return JSON.stringify([p.workspace, p.testMode, refund.paymentId, refund.amount, refund.receipt])
}
