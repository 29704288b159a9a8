// SEED_FILE: the snapshot document (src/test-kit/snapshot.ts) read from a file. Every entry is checked before
// anything is written; a bad one stops start-up with the file and the entry named.
import { readFileSync } from 'node:fs'
import { isProblems, readDocument, type DocumentPayment } from './snapshot.js'

export class SeedError extends Error {
  override name = 'SeedError'
}

export function loadSeedFile (path: string): DocumentPayment[] {
  const source = `SEED_FILE ${path}`
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new SeedError(`${source}: cannot be read (${(err as NodeJS.ErrnoException).code as string})`)
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (err) {
    throw new SeedError(`${source}: not valid JSON (${(err as Error).message})`)
  }
  const payments = readDocument(data)
  if (!isProblems(payments)) return payments
  const [[at, message] = ['', '']] = payments
  const more = payments.length > 1 ? ` (and ${payments.length - 1} more)` : ''
  throw new SeedError(`${source}: ${at}: ${message}${more}`)
}
