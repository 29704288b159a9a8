// The journal's wire format: an entry as GET /__admin/requests answers it and JOURNAL_FILE keeps it (one JSON line),
// and its id (`req_00000042`).
import { MAX_NESTING_DEPTH } from '../python/json.js'
import type { Captured } from './journal-capture.js'
import type { Static } from '@sinclair/typebox'
import type { JournalEntrySchema } from '../schemas/test-kit.js'
import type { Entry } from './journal.js'

/** A journal entry as GET /__admin/requests answers it. */
export type JournalEntry = Static<typeof JournalEntrySchema>

export const entryId = (seq: number): string => `req_${String(seq).padStart(8, '0')}`

const ENTRY_ID = /^req_(\d{1,15})$/

/** The seq of an entry id (`req_00000042` → 42), or null. */
export function seqOf (id: string): number | null {
  const m = ENTRY_ID.exec(id)
  return m === null ? null : Number(m[1])
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
