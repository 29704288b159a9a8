// DRF's JSONRenderer: the Content-Type is exactly `application/json`, U+2028/U+2029 are escaped, and an
// `Accept: application/json; indent=N` answer is pretty-printed the way Python's json.dumps(indent=N) does it
// (numbers and key order as they were: the answer is read back with json.ts, not JSON.parse).
//
// Indented text can be hundreds of times larger than the compact one (metadata 880 levels deep with indent=8:
// 120 KB become 420 MB, past what one JavaScript string may hold). So an answer above STREAM_BYTES is not built:
// its exact length is counted (the Content-Length is the same either way), and it is written a piece at a time
// as the socket takes it (json.ts iterencode), with other requests answered in between. Rendering then cannot
// fail, and no answer's size is a cost in memory.
import { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { countLineSeparators, dumps, escapeLineSeparators, indentedExtra, iterencode, loads, type Streamable } from '../python/json.js'

/** Answers larger than this (in bytes) are written in pieces. */
const STREAM_BYTES = 1024 * 1024

/** A JSON answer written a piece at a time, as the socket takes them (backpressure). */
class JsonStream extends Readable {
  constructor (chunks: Generator<string, void, undefined>) {
    super()
    const it = chunks
    this._read = () => {
      const next = it.next()
      this.push(next.done === true ? null : next.value)
    }
    this._destroy = (err, callback) => {
      // a client that left: the rest is never made
      it.return()
      callback(err)
    }
  }
}

/** A large rendered answer of the emulated API: its length (the Content-Length), and its start for the journal. */
export class RenderedStream extends JsonStream {
  constructor (chunks: Generator<string, void, undefined>, readonly bytes: number, readonly head: () => string) {
    super(chunks)
  }
}

/** How much of a streamed answer's text the journal is handed (it keeps less: JOURNAL_BODY_CHARS). */
const JOURNAL_HEAD_CHARS = 64 * 1024

/** The first `chars` characters `value` renders to, written only that far. */
function headOf (value: Streamable, indent: number, chars: number): string {
  let text = ''
  for (const chunk of iterencode(value, indent, chars)) {
    text += chunk
    if (text.length >= chars) break
  }
  return text.slice(0, chars)
}

/** The onSend step every JSON answer goes through: a string, or a JsonStream for a large indented one. */
export function renderJson (request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  const type = reply.getHeader('content-type')
  if (typeof payload !== 'string' || typeof type !== 'string' || !type.startsWith('application/json')) return payload
  reply.header('content-type', 'application/json')
  if (request.indent === null || payload === '') return escapeLineSeparators(payload)
  const indent = request.indent
  const value = loads(payload)
  // every character indentation adds is ASCII, and each escaped separator turns 3 bytes into 6
  const bytes = Buffer.byteLength(payload) + indentedExtra(value, indent) + 3 * countLineSeparators(payload)
  if (bytes <= STREAM_BYTES) return escapeLineSeparators(dumps(value, indent))
  reply.header('content-length', bytes)
  return new RenderedStream(iterencode(value, indent), bytes, () => headOf(value, indent, JOURNAL_HEAD_CHARS))
}

/** Answers with JSON text rendered already (money and metadata written as DRF writes them). */
export function sendJson (reply: FastifyReply, text: string, status = 200): FastifyReply {
  return reply.code(status).type('application/json').send(text)
}

/**
 * Answers with a document made as it is written (a snapshot, a payment with all its refunds): compact, or as the
 * request's indent asks; never held whole. Up to STREAM_BYTES of it is made before anything is sent: a document
 * that ends there is answered as usual (with its Content-Length), and a read that fails there (a damaged database)
 * is still answered with a status (503); past it the rest is written as the socket takes it, and a read that fails
 * then can only cut the connection.
 */
export function sendStreamedJson (request: FastifyRequest, reply: FastifyReply, doc: Streamable, status = 200): FastifyReply {
  const chunks = iterencode(doc, request.indent ?? 0)
  const made: string[] = []
  let chars = 0
  for (let next = chunks.next(); next.done !== true; next = chunks.next()) {
    made.push(next.value)
    chars += next.value.length
    if (chars >= STREAM_BYTES) {
      return reply.code(status).type('application/json').send(new JsonStream(concat(made, chunks)))
    }
  }
  // rendered already: a Buffer is not rendered again (renderJson takes strings)
  return reply.code(status).type('application/json').send(Buffer.from(made.join('')))
}

function * concat (first: readonly string[], rest: Iterator<string>): Generator<string, void, undefined> {
  yield * first
  for (let next = rest.next(); next.done !== true; next = rest.next()) yield next.value
}
