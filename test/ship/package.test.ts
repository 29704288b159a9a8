// The package as npm ships it: `npm pack`, installed with production dependencies only into an empty folder,
// started the way the container starts it. Proves that nothing the runtime needs is a dev dependency and that
// `files` carries the bundles, the types and the migrations.
import t from 'tap'
import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { spawn } from 'node:child_process'
import { freePort } from '../process.js'

const exec = promisify(execFile)
const root = fileURLToPath(new URL('../../', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'piriod-package-'))
t.teardown(() => rmSync(work, { recursive: true, force: true }))
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string, version: string, scripts: { start: string }, dependencies?: Record<string, string> }

t.test('npm pack: the bundles, their types, the migrations, the docs the README links to; no tests, sources, maps or databases', async t => {
  const { stdout } = await exec('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, maxBuffer: 16 * 1024 * 1024 })
  const files = (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]?.files.map(f => f.path) ?? []
  for (const needed of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'dist/server.js', 'dist/cli.js', 'dist/index.js', 'dist/index.d.ts', 'migrations/001_init.sql',
    'dist/dashboard/index.html', 'dist/dashboard/app.js', 'dist/dashboard/style.css']) {
    t.ok(files.includes(needed), needed)
  }
  t.strictSame(files.filter(f => /^(?:test|src|\.ci)\/|\.map$|\.sqlite|\.db$|\.tgz$/.test(f)), [])
  // the README (and the docs it links to) as the package carries them: every relative link resolves inside it
  for (const doc of files.filter(f => f === 'README.md' || /^docs\/[^/]+\.md$/.test(f))) {
    const text = readFileSync(join(root, doc), 'utf8')
    for (const [, target = ''] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target)) continue
      const path = join(doc.includes('/') ? doc.slice(0, doc.lastIndexOf('/')) : '', target).replaceAll('\\', '/')
      t.ok(files.includes(path) || files.some(f => f.startsWith(`${path}/`)), `${doc}: ${target} is in the package`)
    }
  }
  t.strictSame(files.filter(f => f.startsWith('dist/') && f.endsWith('.js')).sort(), ['dist/cli.js', 'dist/dashboard/app.js', 'dist/index.js', 'dist/server.js'],
    'only the bundles (the dashboard\'s module is the browser\'s)')
})

t.test('a production install starts like the image and serves a refund', async t => {
  // the dist/ that npm test built before tap started: prepack would rebuild it while other test files read it
  const { stdout } = await exec('npm', ['pack', '--pack-destination', work, '--json', '--ignore-scripts'], { cwd: root, maxBuffer: 16 * 1024 * 1024 })
  const tarball = join(work, (JSON.parse(stdout) as Array<{ filename: string }>)[0]?.filename as string)
  const app = join(work, 'app')
  mkdirSync(app)
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
  // better-sqlite3 compiles for a minute when its prebuilt binary cannot be fetched, as here; npm ci proved that
  // build already, so its scripts are skipped and the binary just built is copied
  await exec('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock', tarball], { cwd: app, maxBuffer: 16 * 1024 * 1024 })
  const binary = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'
  mkdirSync(join(app, 'node_modules/better-sqlite3/build/Release'), { recursive: true })
  copyFileSync(join(root, binary), join(app, binary))
  const installed = join(app, 'node_modules', pkg.name)
  t.ok(existsSync(join(installed, 'migrations/001_init.sql')))
  t.notOk(existsSync(join(app, 'node_modules/typescript')), 'no dev dependency came along')
  t.notOk(existsSync(join(app, 'node_modules/tap')))
  // a lean package: the bundles hold fastify, TypeBox, pino and the rest; only the native module is installed
  t.strictSame(Object.keys(pkg.dependencies ?? {}), ['better-sqlite3'])
  for (const bundled of ['fastify', '@sinclair/typebox', 'pino', 'pino-pretty', '@fastify/swagger', 'close-with-grace']) {
    t.notOk(existsSync(join(app, 'node_modules', bundled)), `${bundled} is in the bundles, not installed`)
  }
  const installedCount = readdirSync(join(app, 'node_modules')).filter(n => !n.startsWith('.')).length
  t.ok(installedCount <= 45, `${installedCount} packages: piriod-mock and better-sqlite3's installer tree`)

  // the types compile in a consumer project that checks libraries too, with no @types at all
  writeFileSync(join(app, 'consumer.ts'), [
    "import { startPiriodMock, StartError, PiriodMockError, type JournalEntry, type PiriodMock, type SnapshotDocument } from 'piriod-mock'",
    'const mock: PiriodMock = await startPiriodMock({ port: 0, clock: new Date(0), seed: { payments: [{ workspace: "w", id: 1, amount: "1.00" }] } })',
    'const entries: JournalEntry[] = await mock.requests({ path: "/refunds/" })',
    'const doc: SnapshotDocument = { payments: [{ workspace: "w", id: 2, amount: 3, refunds: [{ amount: 1, reason: "duplicate", receipt: "R" }] }] }',
    'await mock.restore(doc)',
    'console.log(entries.length, StartError.name, PiriodMockError.name)',
    '// @ts-expect-error a misspelt option is an error',
    'await startPiriodMock({ prot: 1 })',
    ''
  ].join('\n'))
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, noEmit: true, types: [] },
    files: ['consumer.ts']
  }))
  const tsc = await exec(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', app]).catch((err: { stdout: string }) => ({ stdout: err.stdout, failed: true }))
  t.notOk('failed' in tsc, `tsc with skipLibCheck false: ${tsc.stdout}`)

  // the image's environment, the image's command
  const port = await freePort()
  // npm start's command (the image's CMD), node flags included
  const child = spawn(process.execPath, pkg.scripts.start.split(' ').slice(1), {
    cwd: installed,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', HOST: '0.0.0.0', PORT: String(port), DATABASE_PATH: join(work, 'data/piriod-mock.sqlite'), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c })
  const exited = new Promise<number | null>(resolve => child.on('exit', resolve))
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const url = `http://127.0.0.1:${port}`
  let healthy = false
  for (let i = 0; i < 200 && !healthy; i++) {
    healthy = await fetch(`${url}/__admin/health`).then(r => r.ok, () => false)
    if (!healthy) await new Promise(resolve => setTimeout(resolve, 25))
  }
  t.ok(healthy, `healthy: ${stderr}`)
  const created = await fetch(`${url}/__admin/payments`, { method: 'POST', headers: { 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }, body: '{"id":7,"amount":100}' })
  t.equal(created.status, 201)
  const refund = await fetch(`${url}/refunds/`, {
    method: 'POST',
    headers: { authorization: 'Token tok_ci', 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' },
    body: JSON.stringify({ payment: 7, amount: '12.50', reason: 'duplicate', receipt: 'R-1' })
  })
  t.equal(refund.status, 201)
  t.match(await refund.json(), { payment: 7, amount: 12.5, balance: 87.5 })
  const dashboard = await fetch(`${url}/__admin/`)
  t.equal(dashboard.status, 200, 'the dashboard ships with the package')
  t.match(dashboard.headers.get('content-type'), /^text\/html/)
  t.match(await dashboard.text(), '<script type="module" src="app.js">')
  const script = await fetch(`${url}/__admin/app.js`)
  t.match(script.headers.get('content-type'), /javascript/)
  t.match(await script.text(), '/__admin/payments')
  child.kill('SIGTERM')
  t.equal(await exited, 0, 'SIGTERM stops it cleanly')
  t.equal(stderr, '')

  // the command and the library, as a consumer uses them
  const version = await exec(join(app, 'node_modules/.bin/piriod-mock'), ['--version'])
  t.equal(version.stdout.trim(), pkg.version)
  const library = await exec(process.execPath, ['--input-type=module', '-e',
    "const { startPiriodMock } = await import('piriod-mock'); const m = await startPiriodMock(); const p = await m.createPayment({ workspace: 'w', amount: 1 }); console.log(p.id, m.url.startsWith('http://127.0.0.1:')); await m.close()"], { cwd: app })
  t.equal(library.stdout.trim(), '1 true')
})
