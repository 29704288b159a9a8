// The README's example test, run as written (with the package name pointing at the sources).
import t from 'tap'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { run } from './process.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const readme = readFileSync(join(root, 'README.md'), 'utf8')

t.test('the programmatic API example passes', async t => {
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1] as string)
  t.equal(blocks.length, 1, 'one TypeScript example')
  const code = (blocks[0] as string).replace("from 'piriod-mock'", `from ${JSON.stringify(join(root, 'src/index.ts'))}`)
  t.match(code, 'startPiriodMock')
  const dir = mkdtempSync(join(root, 'test', '.readme-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'example.test.ts')
  writeFileSync(file, code)
  const proc = run({}, [file])
  t.equal(await proc.exited, 0, proc.stderr() + proc.logs.join('\n'))
  const tap = proc.logs.join('\n')
  t.match(tap, /# \{ total: 4, pass: 4 \}|ok 1 - a refund that times out is not sent twice/)
  t.notMatch(tap, /not ok/)
})
