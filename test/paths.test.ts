import t from 'tap'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { makeFolder, packageRoot } from '../src/paths.js'

t.test('the package root, from the sources, the compiled files and the bundle alike', async t => {
  const root = packageRoot()
  t.ok(existsSync(join(root, 'package.json')))
  t.ok(existsSync(join(root, 'migrations', '001_init.sql')))
  t.equal(packageRoot(join(root, 'dist', 'server.js')), root)
  t.equal(packageRoot(join(root, 'dist', 'db', 'migrate.js')), root)
  t.throws(() => packageRoot('/no-package-json-here'), /no package.json above \/no-package-json-here/)
})

t.test('makeFolder: a folder it cannot make is named with the reason', async t => {
  const dir = t.testdir({})
  const long = join(dir, 'x'.repeat(300), 'db')
  t.throws(() => { makeFolder(long) }, { code: 'ENAMETOOLONG', message: `cannot create the folder ${join(dir, 'x'.repeat(300))} (ENAMETOOLONG)` })
  makeFolder(join(dir, 'a', 'b'))
  t.ok(existsSync(join(dir, 'a', 'b')), 'one level at a time')
})
