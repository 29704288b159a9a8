// npm run test:<lane>: one lane of the test suite (test/lanes.json), run alone with tap and without the coverage
// gate (a lane covers only part of src/). npm test runs them all, with it.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'

const [lane, ...rest] = process.argv.slice(2)
const lanes = JSON.parse(readFileSync(new URL('../test/lanes.json', import.meta.url), 'utf8'))
if (!Array.isArray(lanes[lane])) {
  process.stderr.write(`usage: node scripts/lane.mjs <${Object.keys(lanes).filter(k => !k.startsWith('$')).join('|')}> [tap options]\n`)
  process.exit(2)
}
// the unit lane's files wait on nothing but the CPU and each other's start-up: twice as many at once as cores
const jobs = lane === 'unit' ? ['--jobs', String(Math.max(2, 2 * availableParallelism()))] : []
const { status } = spawnSync('npx', ['tap', '--disable-coverage', ...jobs, ...rest, ...lanes[lane]], { stdio: 'inherit' })
process.exit(status ?? 1)
