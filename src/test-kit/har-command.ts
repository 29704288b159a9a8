// `piriod-mock har [file]`: a JOURNAL_FILE (NDJSON, from stdin or a file) as one HAR 1.2 document on stdout.
// Read and written a piece at a time, whatever the file's size. A line that is not a journal entry is named on
// stderr and left out (the exit code is then 1); the rest is still converted.
import { createReadStream, existsSync } from 'node:fs'
import { Readable, type Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { harDocument, harFromLine, NotAnEntry } from './har.js'
import { rotatedPath } from './journal-file.js'

/** Longer lines are not journal entries (an entry is bounded far below: JOURNAL_BODY_CHARS, header values). */
const MAX_LINE_BYTES = 4 * 1024 * 1024
/** Problems named one by one; past this many, only counted. */
const MAX_REPORTED = 10

const NEWLINE = 0x0a

/** The lines of a byte stream, each at most MAX_LINE_BYTES (a longer one is `null`: it is never held whole). */
async function * linesOf (input: AsyncIterable<Buffer>): AsyncGenerator<string | null> {
  let parts: Buffer[] = []
  let bytes = 0
  let tooLong = false
  for await (const chunk of input) {
    let start = 0
    for (let nl = chunk.indexOf(NEWLINE); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
      yield tooLong || bytes + nl - start > MAX_LINE_BYTES ? null : Buffer.concat([...parts, chunk.subarray(start, nl)]).toString()
      parts = []
      bytes = 0
      tooLong = false
      start = nl + 1
    }
    const rest = chunk.subarray(start)
    bytes += rest.length
    if (bytes > MAX_LINE_BYTES) {
      tooLong = true
      parts = []
    } else if (rest.length > 0) {
      parts.push(Buffer.from(rest))
    }
  }
  if (bytes > 0) yield tooLong ? null : Buffer.concat(parts).toString()
}

/** The bytes of several files, one after the other. */
async function * concat (files: readonly string[]): AsyncGenerator<Buffer> {
  for (const f of files) {
    yield * createReadStream(f)
    // a file that does not end its last line: the next file's first line is a line of its own
    yield Buffer.from('\n')
  }
}

export interface HarCommandIo {
  stdin: Readable & { isTTY?: boolean }
  stdout: Writable
  stderr: Writable
}

export const HAR_USAGE = 'Usage: piriod-mock har [journal.ndjson] > run.har   (reads stdin without a file; journal.ndjson.1 first when it is there)\n'

/** Runs the command; resolves to its exit code. */
export async function harCommand (args: string[], io: HarCommandIo): Promise<number> {
  const say = (message: string): void => { io.stderr.write(`piriod-mock har: ${message}\n`) }
  if (args.length > 1 || args[0]?.startsWith('-') === true) {
    if (args[0] === '--help') {
      io.stdout.write(HAR_USAGE)
      return 0
    }
    io.stderr.write(HAR_USAGE)
    return 2
  }
  const file = args[0]
  if (file === undefined && io.stdin.isTTY === true) {
    say('give a JOURNAL_FILE on stdin or as an argument')
    io.stderr.write(HAR_USAGE)
    return 2
  }
  // a rotated journal (JOURNAL_FILE_MAX_BYTES) continues the older file: <file>.1 comes first
  const files = file === undefined ? [] : [rotatedPath(file), file].filter((f, i) => i === 1 || existsSync(f))
  const input: AsyncIterable<Buffer> = file === undefined ? io.stdin : concat(files)
  let skipped = 0
  async function * entries () {
    let n = 0
    for await (const line of linesOf(input)) {
      n++
      if (line !== null && line.trim() === '') continue
      try {
        if (line === null) throw new NotAnEntry(`longer than ${MAX_LINE_BYTES} bytes`)
        yield harFromLine(line)
      } catch (err) {
        skipped++
        if (skipped <= MAX_REPORTED) say(`line ${n} left out: ${(err as Error).message}`)
      }
    }
  }
  try {
    await pipeline(Readable.from(harDocument(entries(), e => e)), io.stdout, { end: io.stdout !== process.stdout })
  } catch (err) {
    say((err as Error).message)
    return 1
  }
  if (skipped > MAX_REPORTED) say(`${skipped - MAX_REPORTED} more lines left out`)
  return skipped > 0 ? 1 : 0
}
