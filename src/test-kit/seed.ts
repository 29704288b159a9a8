// SEED_FILE: the snapshot document (src/test-kit/snapshot.ts) read from a file. Every entry is checked before
// anything is written; a bad one stops start-up with the file and the entry named.
import { readFileSync } from 'node:fs'
import { loads, type PyValue } from '../python/json.js'
import { readDocument, type SeedDocument } from './snapshot.js'

export class SeedError extends Error {
  override name = 'SeedError'
}

export function loadSeedFile (path: string): SeedDocument {
  const source = `SEED_FILE ${path}`
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new SeedError(`${source}: cannot be read (${(err as NodeJS.ErrnoException).code as string})`)
  }
  let data: PyValue
  try {
    // read as the API reads a body: key order, floats and big numbers as written
    data = loads(text)
  } catch (err) {
    throw new SeedError(`${source}: not valid JSON (${(err as Error).message})`)
  }
  const doc = readDocument(data)
  if (doc.ok) return doc
  const problems = Object.entries(doc.errors)
  const [[at, [message]] = ['', ['']]] = problems
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''
  throw new SeedError(`${source}: ${at}: ${message as string}${more}`)
}
