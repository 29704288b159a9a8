// SEED_FILE: the snapshot document (src/test-kit/snapshot.ts) read from a file. Every entry is checked before
// anything is written; a bad one stops start-up with the file and the entry named.
import { readFileSync } from 'node:fs'
import { loads, type PyValue } from '../python/json.js'
import { StartError } from '../start-error.js'
import { readDocument, type SeedDocument } from './snapshot.js'

/** A seed that does not load: a start-up problem like any other. */
export class SeedError extends StartError {}

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
  return seedDocument(data, source)
}

/** A seed document (a file's, or the programmatic API's `seed`), or a SeedError naming its first problem. */
export function seedDocument (data: PyValue, source: string): SeedDocument {
  const doc = readDocument(data)
  if (doc.ok) return doc
  const problems = Object.entries(doc.errors)
  const [[at, [message]] = ['', ['']]] = problems
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''
  throw new SeedError(`${source}: ${at}: ${message as string}${more}`)
}
