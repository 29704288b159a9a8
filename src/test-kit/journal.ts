// The request journal: every request to the emulated API, as the client sent it and as it was answered, kept in a
// ring bounded twice — at most JOURNAL_SIZE entries and at most JOURNAL_MAX_BYTES of memory, the oldest entries
// going first. What an entry keeps, and what it costs, is journal-capture.ts's; its wire format journal-json.ts's;
// the possible-duplicate marks duplicates.ts's. Credentials are redacted before anything is kept (src/redact.ts).
import { inScope, type Scope } from '../partition.js'
import { entrySize, type Captured } from './journal-capture.js'
import { createDuplicateDetector } from './duplicates.js'
import type { FaultRecord } from './faults.js'

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

export interface JournalFilter {
  method?: string
  path?: string
  status?: number
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
  /** tells `listener` of every entry kept from now on; returns the way to stop */
  subscribe(listener: (entry: Entry) => void): () => void
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

/** A ring of up to `size` entries that also evicts its oldest ones to stay within `maxBytes`. */
export function createJournal ({ size, maxBytes, duplicateWindowMs, onAdd }: JournalOptions): Journal {
  const ring: Array<Entry | undefined> = new Array<Entry | undefined>(size)
  let head = 0 // the oldest entry
  let count = 0
  let bytes = 0
  let seq = 0
  const duplicates = createDuplicateDetector<Entry>(duplicateWindowMs)
  const listeners = new Set<(entry: Entry) => void>()

  const at = (i: number): Entry => ring[(head + i) % size] as Entry

  function evictOldest (): void {
    const old = at(0)
    ring[head] = undefined
    head = (head + 1) % size
    count--
    bytes -= old.size
    duplicates.forget(old)
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
      duplicates.see(entry)
      onAdd?.(entry)
      for (const listener of listeners) listener(entry)
      return entry
    },
    subscribe (listener) {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
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
          duplicates.forget(e)
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
