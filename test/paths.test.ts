import t from 'tap'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { packageRoot } from '../src/paths.js'

t.test('the package root, from the sources, the compiled files and the bundle alike', async t => {
  const root = packageRoot()
  t.ok(existsSync(join(root, 'package.json')))
  t.ok(existsSync(join(root, 'migrations', '001_init.sql')))
  t.equal(packageRoot(join(root, 'dist', 'server.js')), root)
  t.equal(packageRoot(join(root, 'dist', 'db', 'migrate.js')), root)
  t.throws(() => packageRoot('/no-package-json-here'), /no package.json above \/no-package-json-here/)
})
