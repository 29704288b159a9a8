// Comparing two answers to one probe: status, the headers a client reads, and the body byte for byte — except the
// values that differ on every run (a refund's id, created, updated), which are checked for their shape first and
// then masked.

/** An answer as parity keeps it. */
export interface Answer {
  status: number
  /** the compared headers only, lower-case names; an absent header is absent */
  headers: Record<string, string>
  body: Buffer
}

/** The headers compared (others — Date, Server, Connection, Vary — say nothing about the API). */
export const COMPARED_HEADERS = ['content-type', 'allow', 'www-authenticate', 'location'] as const

export interface Difference {
  what: string
  target: string
  emulator: string
}

// the volatile values of a Refund: `"id":"ref_…"`, `"created":"2026-…Z"`; one pass over the text, no backtracking
const VOLATILE = /"(id|created|updated)":( ?)"([^"\\]{0,100})"/g
const REFUND_ID = /^ref_[0-9A-Za-z]{1,64}$/
// DRF's DateTimeField in UTC: isoformat() with +00:00 as Z, microseconds when there are any
const DRF_DATETIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{6})?Z$/

const shapeOf = (key: string): { re: RegExp, words: string } => key === 'id'
  ? { re: REFUND_ID, words: 'a refund id (ref_…)' }
  : { re: DRF_DATETIME, words: "DRF's datetime format (2026-01-31T12:00:00.123456Z)" }

/** A success body with its volatile values masked, and the values that do not have their shape. */
function masked (answer: Answer): { text: string, badShapes: string[] } {
  // latin1 keeps every byte as one character: masking changes nothing else, and comparing stays byte for byte
  const text = answer.body.toString('latin1')
  if (answer.status < 200 || answer.status > 299) return { text, badShapes: [] }
  const badShapes: string[] = []
  const out = text.replace(VOLATILE, (_all, key: string, space: string, value: string) => {
    const shape = shapeOf(key)
    if (!shape.re.test(value)) badShapes.push(`${key} "${value}" is not ${shape.words}`)
    return `"${key}":${space}"<${key}>"`
  })
  return { text: out, badShapes }
}

const AS_EXPECTED = '(as expected)'
const show = (value: string | undefined): string => value === undefined ? '(absent)' : value

/** Everything that differs between the target's answer and the emulator's; empty when they agree. */
export function differences (target: Answer, emulator: Answer): Difference[] {
  const out: Difference[] = []
  if (target.status !== emulator.status) out.push({ what: 'status', target: String(target.status), emulator: String(emulator.status) })
  for (const name of COMPARED_HEADERS) {
    if (target.headers[name] !== emulator.headers[name]) out.push({ what: name, target: show(target.headers[name]), emulator: show(emulator.headers[name]) })
  }
  const t = masked(target)
  const e = masked(emulator)
  for (const bad of t.badShapes) out.push({ what: 'body shape', target: bad, emulator: AS_EXPECTED })
  for (const bad of e.badShapes) out.push({ what: 'body shape', target: AS_EXPECTED, emulator: bad })
  if (t.text !== e.text) out.push({ what: 'body', target: text(t.text), emulator: text(e.text) })
  return out
}

/** Bytes kept as latin1 characters, shown as the UTF-8 text they are. */
const text = (latin1: string): string => Buffer.from(latin1, 'latin1').toString('utf8')

/** Where two texts first differ, with a little context: `at character 41: …"amount": ["A v` / `…"amount": ["Ens`. */
export function firstDifference (a: string, b: string): { at: number, target: string, emulator: string } {
  let at = 0
  const n = Math.min(a.length, b.length)
  while (at < n && a.charCodeAt(at) === b.charCodeAt(at)) at++
  const from = Math.max(0, at - 30)
  const clip = (s: string): string => `${from > 0 ? '…' : ''}${s.slice(from, at + 50)}${s.length > at + 50 ? '…' : ''}`
  return { at, target: clip(a), emulator: clip(b) }
}
