// What the journal keeps of a request and its answer: bodies up to JOURNAL_BODY_CHARS, header values up to
// JOURNAL_HEADER_CHARS (both copied when cut, so a cut never keeps the whole original alive), each with what it
// costs in memory, so that one request cannot push out all the others.

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

/** The parts of an entry the byte budget counts (src/test-kit/journal.ts). */
export interface Costed {
  method: string
  path: string
  query: string | null
  workspace: string | null
  headers: Record<string, string>
  requestBody: Captured | null
  responseBody: Captured | null
  hiddenResponse: { body: Captured } | null
  fault: { rules: readonly string[] } | null
  duplicateKey: string | null
}

/** What an entry costs in memory: its strings, its headers and a fixed overhead for the objects around them. */
export function entrySize (e: Costed): number {
  let size = ENTRY_OVERHEAD + e.method.length + e.path.length + (e.query?.length ?? 0) + (e.workspace?.length ?? 0) +
    (e.requestBody?.size ?? 0) + (e.responseBody?.size ?? 0) + (e.hiddenResponse?.body.size ?? 0) + (e.duplicateKey?.length ?? 0) * 2
  for (const name in e.headers) size += HEADER_OVERHEAD + name.length + (e.headers[name] as string).length
  if (e.fault !== null) size += FAULT_OVERHEAD + e.fault.rules.length * STRING_OVERHEAD
  return size
}
