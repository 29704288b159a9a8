// Generated request bodies for comparing the emulator's body reader with DRF's (json-diff.ts,
// make-json-fixtures.ts): valid and mutated documents, number texts, escapes, ordered keys, random bytes, in
// every charset family and spelling. Deterministic for a seed. drfParser() asks DRF itself (drf-parse.py).
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
let seed = 1

export function reseed (n: number): void {
  seed = n
}

const random = (): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed / 2147483648
}
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
const int = (n: number): number => Math.floor(random() * n)

/** Python's json.dumps(ensure_ascii=True) from the emulator's compact text. */
export function asciify (text: string): string {
  return text.replace(/[\u007f-\uffff]/g, c => c === '\u007f' ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

const ATOMS = ['{', '}', '[', ']', '"', ',', ':', ' ', '\n', '\t', '\r', '\\', '\\u', '\\ud83d', '\\ude00', '\\u00e9', '\\n', '\\x',
  '0', '1', '9', '-', '+', '.', 'e', 'E', '1e400', '1.0', '-0', '-0.0', '12345678901234567890', '1e-7', '1e16', '0.1',
  'null', 'true', 'false', 'nul', 'NaN', 'Infinity', '-Infinity', 'Inf', 'a', 'é', '😀', '\u2028', '\u0001', '\u001f', '\ufeff', '"k"',
  '"2"', '"1"', '"a":', '{"a":1}', '[1,2]', '""', '"x"']

function randomText (): string {
  const kind = int(6)
  if (kind === 0) {
    // a valid document, then perhaps one mutation
    const doc = JSON.stringify(randomValue(3))
    if (random() < 0.5) return doc
    const at = int(doc.length + 1)
    return doc.slice(0, at) + pick(ATOMS) + doc.slice(at + int(3))
  }
  if (kind === 1) return Array.from({ length: 1 + int(12) }, () => pick(ATOMS)).join('')
  if (kind === 2) return `{"n":${pick(['-', ''])}${Array.from({ length: 1 + int(25) }, () => int(10)).join('')}${pick(['', '.0', '.5', `e${int(40) - 20}`, `E+${int(400)}`, '.123e-5'])}}`
  if (kind === 3) return `"${Array.from({ length: 1 + int(6) }, () => pick(['\\u', 'd8', 'dc', '00', 'e9', '41', 'zz', '\\', '"', 'a', '\\ud800', '\\udc00', '\\ud83d\\ude00'])).join('')}`
  if (kind === 4) return `{"metadata":{${Array.from({ length: int(6) }, () => `"${pick(['1', '2', '10', '0', '-1', 'a', 'b', '01', '4294967295', '4294967294'])}":${pick(['1', '2.0', '"x"', 'null', '[]', '{}', '1e20'])}`).join(',')}}}`
  return ` ${JSON.stringify(randomValue(2))}${pick(['', ' ', '\n', 'x', ',', ' 1', '\n\n}'])}`
}

function randomValue (depth: number): unknown {
  const k = int(depth > 0 ? 8 : 5)
  if (k === 0) return null
  if (k === 1) return random() < 0.5
  if (k === 2) return pick([0, 1, -1, 7, 12.5, 0.1, 1e21, 123456789012345, -0.5, 1e-7])
  if (k === 3) return pick(['', 'a', 'é', '😀', 'x y', '\u2028', '\u0000', 'long '.repeat(3)])
  if (k === 4) return pick(['duplicate', 'R-1', '12.50', ' 7 '])
  if (k === 5) return Array.from({ length: int(4) }, () => randomValue(depth - 1))
  return Object.fromEntries(Array.from({ length: int(4) }, () => [pick(['a', 'b', '1', '2', 'payment', 'amount']), randomValue(depth - 1)]))
}

const CHARSETS = ['', 'utf-8', 'UTF8', 'utf_8', ' UTF--8 ', 'u8', 'utf-8-sig', 'utf_8_sig', 'utf-16', 'UTF-16LE', 'utf-16-be', 'utf16',
  'utf-32', 'utf-32le', 'UTF32BE', 'latin1', 'latin-1', 'iso-8859-1', 'ISO_8859-2', 'iso8859_15', 'cp1252', 'windows-1252', 'cp1251',
  'ascii', 'us-ascii', 'koi8-r', 'mac-roman', 'macintosh', 'cp037', 'ebcdic-cp-us', 'cp437', 'shift_jis', 'sjis', 'euc-jp', 'gbk',
  'big5', 'foo', 'utf-7', 'undefined', 'charmap', 'hz', 'iso-2022-jp', 'x-unknown', 'UTF-8;', 'utf.8', '"utf-16"', 'tis-620', 'cp1250']
const ENCODINGS: BufferEncoding[] = ['utf8', 'utf8', 'utf8', 'latin1', 'utf16le']

export interface Case { body: Buffer, contentType: string }

export function randomCase (): Case {
  const text = randomText()
  const charset = pick(CHARSETS)
  let body = Buffer.from(text, pick(ENCODINGS))
  if (charset.toLowerCase().includes('16') && random() < 0.6) body = Buffer.concat([Buffer.from(random() < 0.8 ? [0xff, 0xfe] : [0xfe, 0xff]), Buffer.from(text, 'utf16le')])
  if (charset.toLowerCase().includes('32') && random() < 0.6) {
    const cps = [...text].map(c => c.codePointAt(0) as number)
    const b = Buffer.alloc(4 * (cps.length + 1))
    b.writeUInt32LE(0xfeff, 0)
    cps.forEach((cp, i) => b.writeUInt32LE(cp, 4 * (i + 1)))
    body = b
  }
  if (random() < 0.1) body = Buffer.concat([body, Buffer.from([int(256)])])
  // bytes at random: every decoder's error paths
  if (random() < 0.15) body = Buffer.from(Array.from({ length: 1 + int(16) }, () => pick([0x00, 0x22, 0x7b, 0x7d, 0x31, 0x20, 0x80, 0x81, 0x9d, 0xc3, 0xa9, 0xd8, 0xdc, 0xdf, 0xe0, 0xed, 0xef, 0xbb, 0xbf, 0xf0, 0xf4, 0xfe, 0xff, 0x11, int(256)])))
  if (random() < 0.1 && body.length > 0) body[int(body.length)] = int(256)
  if (random() < 0.05) body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body])
  return { body, contentType: charset === '' ? 'application/json' : `application/json; charset=${charset}` }
}

export interface DrfAnswer { value?: string, detail?: string, crash?: string }

/** DRF's parser in a Python process: ask it one case at a time. */
export function drfParser (): { ask: (c: Case) => Promise<DrfAnswer>, close: () => void } {
  const python = spawn('/usr/bin/python3', [fileURLToPath(new URL('./drf-parse.py', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: python.stdout })[Symbol.asyncIterator]()
  return {
    async ask (c) {
      python.stdin.write(JSON.stringify({ body: c.body.toString('base64'), content_type: c.contentType }) + '\n')
      return JSON.parse((await lines.next()).value as string) as DrfAnswer
    },
    close: () => python.stdin.end()
  }
}
