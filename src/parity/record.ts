// A recorded set (--record DIR, --replay DIR): one JSON file per probe with the target's answer, and parity.json
// saying what the run was (workspace, test mode, payment, writes) so a replay sends the same battery. The token is
// never written: requests show it redacted, as the journal does.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { redactHeader } from '../redact.js'
import type { Answer } from './compare.js'
import type { Probe } from './probes.js'

const MANIFEST = 'parity.json'

export interface Manifest {
  format: 1
  recorded_with: string
  recorded_at: string
  target: string
  workspace: string
  test_mode: boolean
  payment: number | null
  writes: boolean
  probes: string[]
}

/** Bytes as JSON can hold them: text when they are UTF-8, else base64. */
const bodyJson = (body: Buffer): { body: string } | { body_base64: string } => {
  const text = body.toString('utf8')
  return Buffer.from(text, 'utf8').equals(body) ? { body: text } : { body_base64: body.toString('base64') }
}

const bodyOf = (doc: { body?: unknown, body_base64?: unknown }): Buffer =>
  typeof doc.body_base64 === 'string' ? Buffer.from(doc.body_base64, 'base64') : Buffer.from(typeof doc.body === 'string' ? doc.body : '', 'utf8')

/** A request as it may be shown or stored: credentials redacted. */
export const shownRequest = (probe: Probe): Record<string, unknown> => ({
  method: probe.method,
  path: probe.path,
  headers: Object.fromEntries(Object.entries(probe.headers).map(([k, v]) => [k, redactHeader(k, v)])),
  ...(probe.body === undefined ? {} : bodyJson(probe.body))
})

export const answerJson = (answer: Answer): Record<string, unknown> => ({ status: answer.status, headers: answer.headers, ...bodyJson(answer.body) })

/** A file name for a probe (names are [a-z0-9-] already; anything else becomes `_`). */
const fileOf = (dir: string, name: string): string => join(dir, `${name.replace(/[^a-z0-9-]/g, '_')}.json`)

export class Recorder {
  readonly names: string[] = []
  constructor (readonly dir: string) {
    mkdirSync(dir, { recursive: true })
  }

  write (probe: Probe, answer: Answer, scrub: (s: string) => string): void {
    this.names.push(probe.name)
    const doc = { probe: probe.name, about: probe.about, request: shownRequest(probe), answer: answerJson(answer) }
    writeFileSync(fileOf(this.dir, probe.name), `${scrub(JSON.stringify(doc, null, 2))}\n`)
  }

  finish (manifest: Omit<Manifest, 'probes' | 'format'>): void {
    writeFileSync(join(this.dir, MANIFEST), `${JSON.stringify({ format: 1, ...manifest, probes: this.names }, null, 2)}\n`)
  }
}

/** A recorded set, read back; `answer(name)` is undefined for a probe it does not hold. */
export class Recording {
  readonly manifest: Manifest
  constructor (readonly dir: string) {
    const raw: unknown = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8'))
    const m = raw as Partial<Manifest> | null
    if (m === null || typeof m !== 'object' || m.format !== 1 || typeof m.workspace !== 'string' || typeof m.test_mode !== 'boolean' ||
      !(m.payment === null || Number.isSafeInteger(m.payment)) || typeof m.writes !== 'boolean' || !Array.isArray(m.probes)) {
      throw new Error(`${join(dir, MANIFEST)} is not a parity recording (format 1: workspace, test_mode, payment, writes, probes)`)
    }
    this.manifest = m as Manifest
  }

  answer (name: string): Answer | undefined {
    if (!this.manifest.probes.includes(name)) return undefined
    const doc = JSON.parse(readFileSync(fileOf(this.dir, name), 'utf8')) as { answer?: { status?: unknown, headers?: unknown, body?: unknown, body_base64?: unknown } }
    const a = doc.answer
    if (a === undefined || typeof a.status !== 'number' || a.headers === null || typeof a.headers !== 'object') {
      throw new Error(`${fileOf(this.dir, name)} holds no answer (status, headers, body)`)
    }
    return { status: a.status, headers: a.headers as Record<string, string>, body: bodyOf(a) }
  }
}
