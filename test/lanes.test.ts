// The test lanes (test/lanes.json, npm run test:unit|system|ship|soak): every test file is in exactly one, so a
// contributor who runs them one by one runs everything npm test runs.
import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))
const lanes = JSON.parse(readFileSync(join(root, 'test/lanes.json'), 'utf8')) as Record<string, string[] | string>

function testFiles (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(d => {
    if (d.name.startsWith('.') || d.name === 'fixtures') return []
    const path = join(dir, d.name)
    return d.isDirectory() ? testFiles(path) : d.name.endsWith('.test.ts') ? [relative(root, path)] : []
  })
}

/** Whether a lane's entry (a path, or a folder's `*.test.ts`) names a file. */
const names = (entry: string, file: string): boolean =>
  entry.endsWith('/*.test.ts') ? file.startsWith(entry.slice(0, -'*.test.ts'.length)) && !file.slice(entry.length - '*.test.ts'.length).includes('/') : entry === file

t.test('every test file is in exactly one lane', async t => {
  const files = testFiles(join(root, 'test'))
  t.ok(files.length > 40)
  for (const file of files) {
    const found = Object.entries(lanes).filter(([name, entries]) => !name.startsWith('$') && (entries as string[]).some(e => names(e, file))).map(([name]) => name)
    t.strictSame(found.length, 1, `${file}: ${found.join(', ') || 'in no lane'}`)
  }
  for (const [name, entries] of Object.entries(lanes)) {
    if (name.startsWith('$')) continue
    for (const entry of entries as string[]) t.ok(files.some(f => names(entry, f)), `${name}: ${entry} names a test file`)
  }
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
  for (const name of ['unit', 'system', 'ship', 'soak']) t.equal(scripts[`test:${name}`], `node scripts/lane.mjs ${name}`)
})
