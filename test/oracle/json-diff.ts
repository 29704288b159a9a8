// Development tool, not part of `npm test`: reads generated bodies with the emulator's body reader
// (src/drf/parse.ts) and with DRF itself (test/oracle/drf-parse.py: Django's charset handling and DRF's
// JSONParser), and prints every difference. Needs Debian's python3-djangorestframework.
//
//   npx tsx test/oracle/json-diff.ts [cases=20000] [seed]
import { dumps } from '../../src/python/json.js'
import { parseJsonBody } from '../../src/drf/parse.js'
import { asciify, drfParser, randomCase, reseed } from './body-cases.js'

const CASES = Number(process.argv[2] ?? 20000)
reseed(Number(process.argv[3] ?? 1))

const drf = drfParser()

const counts = { same: 0, differ: 0, unsupported: 0, crash: 0 }
const shown = new Set<string>()
for (let i = 0; i < CASES; i++) {
  const c = randomCase()
  if (c.body.length === 0) continue
  const theirsRaw = await drf.ask(c)
  const ours = parseJsonBody(c.body, c.contentType)
  let mine: string
  if (ours.ok) mine = `value ${asciify(dumps(ours.data))}`
  else if (ours.status === 415) { counts.unsupported++; continue } else mine = `detail ${ours.detail}`
  if (theirsRaw.crash !== undefined) {
    counts.crash++
    if (!ours.ok) continue // DRF answers 500; the emulator a 400
  }
  const theirs = theirsRaw.value !== undefined ? `value ${theirsRaw.value}` : theirsRaw.detail !== undefined ? `detail ${theirsRaw.detail}` : `crash ${theirsRaw.crash as string}`
  if (mine === theirs) { counts.same++; continue }
  counts.differ++
  const key = `${theirs.slice(0, 60)}|${mine.slice(0, 60)}`
  if (shown.has(key) || shown.size > 60) continue
  shown.add(key)
  console.log(`${c.contentType} ${JSON.stringify(c.body.toString('latin1')).slice(0, 160)}\n  drf: ${theirs.slice(0, 200)}\n  emu: ${mine.slice(0, 200)}`)
}
drf.close()
console.log(counts)
