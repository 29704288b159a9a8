// SEED_FILE: {"payments": [{"workspace", "test_mode"?, "id", "amount", "refund_outcome"?}]}. Every entry is
// checked before anything is written; a bad one stops start-up with the file and the entry named.
import { readFileSync } from 'node:fs'
import { pyStrip } from './drf/python.js'
import { ApiError } from './errors.js'
import type { SeedPayment } from './db/payment-store.js'
import { asObject, field } from './serializers/common.js'
import { readPayment } from './serializers/payment.js'
import { MISSING } from './drf/fields.js'

export class SeedError extends Error {
  override name = 'SeedError'
}

const ENTRY_KEYS = new Set(['workspace', 'test_mode', 'id', 'amount', 'refund_outcome'])

// readPayment's errors are field-keyed lists
function firstMessage (err: ApiError): [string, string] {
  const [key, messages] = Object.entries(err.body)[0] as [string, string[]]
  return [key, messages.join(' ')]
}

export function parseSeed (data: unknown, source: string): SeedPayment[] {
  const fail = (where: string, message: string): never => { throw new SeedError(`${source}: ${where}: ${message}`) }
  const root = asObject(data)
  if (root instanceof ApiError) return fail('top level', 'expected an object with a "payments" list')
  const list = field(root, 'payments')
  if (!Array.isArray(list)) return fail('payments', list === MISSING ? 'This field is required.' : 'expected a list')
  const seen = new Map<string, number>()
  return list.map((entry: unknown, i): SeedPayment => {
    const at = `payments[${i}]`
    const body = asObject(entry)
    if (body instanceof ApiError) return fail(at, 'expected an object')
    for (const key of Object.keys(body)) if (!ENTRY_KEYS.has(key)) fail(`${at}.${key}`, 'unknown field')
    const workspace = field(body, 'workspace')
    if (typeof workspace !== 'string' || pyStrip(workspace) === '') fail(`${at}.workspace`, 'a non-blank string is required')
    const testMode = field(body, 'test_mode')
    if (testMode !== MISSING && typeof testMode !== 'boolean') fail(`${at}.test_mode`, 'must be true or false')
    const payment = readPayment(body, true)
    if (payment instanceof ApiError) {
      const [key, message] = firstMessage(payment)
      return fail(`${at}.${key}`, message)
    }
    const seeded: SeedPayment = { ...payment, id: payment.id as number, workspace: workspace as string, testMode: testMode === true }
    const key = JSON.stringify([seeded.workspace, seeded.testMode, seeded.id])
    const first = seen.get(key)
    if (first !== undefined) fail(at, `duplicates payments[${first}] (same workspace, test_mode and id)`)
    seen.set(key, i)
    return seeded
  })
}

export function loadSeedFile (path: string): SeedPayment[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new SeedError(`SEED_FILE ${path}: cannot be read (${(err as NodeJS.ErrnoException).code as string})`)
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (err) {
    throw new SeedError(`SEED_FILE ${path}: not valid JSON (${(err as Error).message})`)
  }
  return parseSeed(data, `SEED_FILE ${path}`)
}
