// The journal as HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), the format browsers' developer tools
// and HAR viewers open: from the journal itself (GET /__admin/requests?format=har) or from the lines of a
// JOURNAL_FILE (`piriod-mock har`). Headers and query strings are redacted as the journal keeps them; a body the
// journal cut is marked with a `comment`.
import { STATUS_CODES } from 'node:http'
import { dumps, loads, MAX_NESTING_DEPTH, PyFloat, toJs, type PyDict, type PyValue } from '../python/json.js'
import { PACKAGE_VERSION } from '../paths.js'
import { captureText, type Captured } from './journal-capture.js'
import { entryId } from './journal-json.js'
import type { Entry } from './journal.js'

/** What a HAR entry is made of: a journal entry, with its bodies as text. */
interface HarSource {
  id: string
  time: string
  method: string
  path: string
  query: string | null
  headers: Record<string, string>
  requestBody: Captured | null
  status: number | null
  responseBody: Captured | null
  hiddenResponse: { status: number, body: Captured } | null
  durationMs: number
  workspace: string | null
  testMode: boolean | null
  possibleDuplicate: boolean
  fault: unknown
}

const nameValues = (pairs: Iterable<[string, string]>) => [...pairs].map(([name, value]) => ({ name, value }))

const cutComment = (c: Captured): Record<string, string> =>
  c.truncated ? { comment: `truncated: ${c.bytes} bytes, the first ${c.text.length} characters kept (JOURNAL_BODY_CHARS)` } : {}

function harEntry (s: HarSource) {
  const query = s.query ?? ''
  const answered = s.status !== null
  return {
    startedDateTime: s.time,
    time: s.durationMs,
    request: {
      method: s.method,
      url: `http://${s.headers.host ?? 'localhost'}${s.path}${query === '' ? '' : `?${query}`}`,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: nameValues(Object.entries(s.headers)),
      queryString: nameValues(new URLSearchParams(query)),
      ...(s.requestBody === null ? {} : { postData: { mimeType: s.headers['content-type'] ?? '', text: s.requestBody.text, ...cutComment(s.requestBody) } }),
      headersSize: -1,
      bodySize: s.requestBody?.bytes ?? 0
    },
    response: {
      status: s.status ?? 0,
      statusText: answered ? STATUS_CODES[s.status as number] ?? '' : '',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: s.responseBody === null ? [] : [{ name: 'content-type', value: 'application/json' }],
      content: {
        size: s.responseBody?.bytes ?? 0,
        mimeType: s.responseBody === null ? 'x-unknown' : 'application/json',
        ...(s.responseBody === null ? {} : { text: s.responseBody.text, ...cutComment(s.responseBody) })
      },
      redirectURL: '',
      headersSize: -1,
      bodySize: s.responseBody?.bytes ?? (answered ? 0 : -1),
      ...(answered ? {} : { comment: 'no answer: the connection was dropped (a fault rule)' })
    },
    cache: {},
    timings: { send: 0, wait: s.durationMs, receive: 0 },
    comment: s.id,
    // HAR's custom fields (a leading underscore): what the journal knows besides HTTP
    _workspace: s.workspace,
    _test_mode: s.testMode,
    _possible_duplicate: s.possibleDuplicate,
    _fault: s.fault,
    // what an after-commit fault replaced or dropped: the refund it stored, or the 400 that stored nothing
    _hidden_response: s.hiddenResponse === null
      ? null
      : { status: s.hiddenResponse.status, text: s.hiddenResponse.body.text, ...cutComment(s.hiddenResponse.body) }
  }
}

type HarEntry = ReturnType<typeof harEntry>

/** How much of a HAR document is handed on at a time, in characters. */
const CHUNK_CHARS = 64 * 1024

/**
 * A HAR document of `items` (oldest first) made entries by `toEntry`, written a piece at a time: however long the
 * journal, the document is never held in memory whole.
 */
export async function * harDocument<T> (items: Iterable<T> | AsyncIterable<T>, toEntry: (item: T) => HarEntry): AsyncGenerator<string> {
  const creator = JSON.stringify({ name: 'piriod-mock', version: PACKAGE_VERSION })
  let chunk = `{"log":{"version":"1.2","creator":${creator},"entries":[`
  let first = true
  for await (const item of items) {
    chunk += (first ? '' : ',') + JSON.stringify(toEntry(item))
    first = false
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk
      chunk = ''
    }
  }
  yield `${chunk}]}}\n`
}

export function harFromEntry (e: Entry) {
  return harEntry({
    id: entryId(e.seq),
    time: new Date(e.time).toISOString(),
    method: e.method,
    path: e.path,
    query: e.query,
    headers: e.headers,
    requestBody: e.requestBody,
    status: e.status,
    responseBody: e.responseBody,
    hiddenResponse: e.hiddenResponse,
    durationMs: e.durationMs,
    workspace: e.workspace,
    testMode: e.testMode,
    possibleDuplicate: e.possibleDuplicate,
    fault: e.fault
  })
}

/** A body as a journal line shows it: JSON as sent (read back exactly), text, or {truncated, bytes, text}. */
function capturedOf (body: PyValue | undefined): Captured | null {
  if (body === undefined || body === null) return null
  if (body instanceof Map && body.get('truncated') === true && typeof body.get('text') === 'string') {
    const text = body.get('text') as string
    return { text, bytes: Number(body.get('bytes')), truncated: true, size: 0 }
  }
  const text = typeof body === 'string' ? body : dumps(body)
  return { text, bytes: Buffer.byteLength(text), truncated: false, size: 0 }
}

/** Thrown for a line that is not a journal entry; the message says what is wrong. */
export class NotAnEntry extends Error {
  override name = 'NotAnEntry'
}

type Kind = 'string' | 'object' | 'number' | 'boolean'

const KINDS: Record<Kind, [string, (v: PyValue | undefined) => boolean]> = {
  string: ['a string', v => typeof v === 'string'],
  object: ['an object', v => v instanceof Map],
  number: ['a number', v => typeof v === 'number' || v instanceof PyFloat],
  boolean: ['true or false', v => typeof v === 'boolean']
}

/** A member of a line's object, of the kind asked for (or null when `nullable`). */
function member (object: PyDict, name: string, kind: Kind, nullable = false): PyValue {
  const value = object.get(name)
  if (nullable && value === null) return value
  const [what, ok] = KINDS[kind]
  if (!ok(value)) throw new NotAnEntry(`"${name}" is not ${what}${nullable ? ' or null' : ''}`)
  return value as PyValue
}

/** A line of a JOURNAL_FILE (a journal entry as GET /__admin/requests shows it) as a HAR entry. */
export function harFromLine (line: string) {
  let e: PyValue
  try {
    // a body nests as deep as the API reads bodies (the journal keeps deeper ones as text), two levels down
    e = loads(line, MAX_NESTING_DEPTH + 2)
  } catch (err) {
    throw new NotAnEntry(`not JSON: ${(err as Error).message}`)
  }
  if (!(e instanceof Map)) throw new NotAnEntry('not a JSON object')
  const request = member(e, 'request', 'object') as PyDict
  const response = member(e, 'response', 'object', true) as PyDict | null
  const headers = member(request, 'headers', 'object') as PyDict
  // (lines written before there was a hidden_response have none)
  const hidden = e.has('hidden_response') ? member(e, 'hidden_response', 'object', true) as PyDict | null : null
  for (const [name, value] of headers) if (typeof value !== 'string') throw new NotAnEntry(`request header "${name}" is not a string`)
  return harEntry({
    id: member(e, 'id', 'string') as string,
    time: member(e, 'time', 'string') as string,
    method: member(e, 'method', 'string') as string,
    path: member(e, 'path', 'string') as string,
    query: member(e, 'query', 'string', true) as string | null,
    headers: Object.fromEntries(headers) as Record<string, string>,
    requestBody: capturedOf(request.get('body')),
    status: response === null ? null : toJs(member(response, 'status', 'number')) as number,
    responseBody: response === null ? null : capturedOf(response.get('body')),
    hiddenResponse: hidden === null ? null : { status: toJs(member(hidden, 'status', 'number')) as number, body: capturedOf(hidden.get('body')) ?? captureText('') },
    durationMs: toJs(member(e, 'duration_ms', 'number')) as number,
    workspace: member(e, 'workspace', 'string', true) as string | null,
    testMode: member(e, 'test_mode', 'boolean', true) as boolean | null,
    possibleDuplicate: member(e, 'possible_duplicate', 'boolean') as boolean,
    fault: toJs(member(e, 'fault', 'object', true))
  })
}
