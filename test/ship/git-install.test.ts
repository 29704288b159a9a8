// Installable before it is published: `npm install git+…#<ref>` builds the package in npm's prepare step, so a
// fresh project gets a working `npx piriod-mock` and the library's types (checked with skipLibCheck off). Installs
// this repository's HEAD from a git+file URL: the commit, not the working tree. About three minutes: better-sqlite3
// compiles twice (for the build, then for the consumer) where its prebuilt binary cannot be fetched.
import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const exec = promisify(execFile)
const root = fileURLToPath(new URL('../../', import.meta.url))
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }

t.setTimeout(15 * 60_000)

t.test('npm install git+file://<this repository>#HEAD: npx piriod-mock works and the types compile', async t => {
  const app = mkdtempSync(join(tmpdir(), 'piriod-git-install-'))
  t.teardown(() => rmSync(app, { recursive: true, force: true }))
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
  await exec('npm', ['install', '--save-dev', '--no-audit', '--no-fund', `git+file://${root}#HEAD`], { cwd: app, maxBuffer: 64 * 1024 * 1024 })
  const version = await exec('npx', ['piriod-mock', '--version'], { cwd: app })
  t.equal(version.stdout.trim(), pkg.version, 'the command runs: the package was built on install')
  writeFileSync(join(app, 'consumer.ts'), [
    "import { startPiriodMock, type PiriodMock } from 'piriod-mock'",
    'const mock: PiriodMock = await startPiriodMock()',
    'await mock.createPayment({ workspace: "w", id: 1, amount: 10 })',
    'const payment = await mock.payment(1, { workspace: "w" })',
    'console.log(payment?.balance)',
    'await mock.close()',
    ''
  ].join('\n'))
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, noEmit: true, types: [] },
    files: ['consumer.ts']
  }))
  const tsc = await exec(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', app]).then(() => '', (err: { stdout: string }) => err.stdout)
  t.equal(tsc, '', 'the types compile with skipLibCheck off, with no @types')
  const run = await exec(process.execPath, ['--input-type=module', '-e', readFileSync(join(app, 'consumer.ts'), 'utf8').replace(': PiriodMock', '').replace(', type PiriodMock', '')], { cwd: app })
  t.equal(run.stdout.trim(), '10', 'and the library runs')
})
