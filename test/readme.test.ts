// Every command in the shell blocks of the README and docs/ is run here, or by a named test or script; the example tests
// (the programmatic API, reproducible runs) pass as written.
import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, run, startServer } from './process.js'
import { shellCommands } from './readme-commands.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const DOCS = readdirSync(join(root, 'docs')).filter(f => f.endsWith('.md')).sort().map(f => `docs/${f}`)
/** The README, then the pages in docs/: their commands run in this order (the docs use the walkthrough's payment). */
const pages = ['README.md', ...DOCS].map(path => ({ path, text: readFileSync(join(root, path), 'utf8') }))
const CLI = join(root, 'src/cli.ts')

const all = pages.flatMap(page => shellCommands(page.text))

// commands this file cannot run itself, and what runs them
const ELSEWHERE: Record<string, string> = {
  'npm ci && npm start': 'npm ci: .ci/run; npm start: below',
  'npm test': '.ci/run',
  'npm run contract': '.ci/run',
  'npm run bench': 'by hand (5 minutes); the same script in its --quick form runs in test/bench/smoke.test.ts',
  'npm run bench -- --quick': 'test/bench/smoke.test.ts, on the build npm test made (with --out, so a real run\'s results stay)',
  'npm install --save-dev git+https://github.com/piriod-mock/piriod-mock.git#v0.2.0': 'test/ship/git-install.test.ts (the same from a git+file URL of this repository)',
  'npm pack && npm install --save-dev ./piriod-mock-0.2.0.tgz': 'test/ship/package.test.ts (npm pack, then an install of the tarball)',
  'npm start -- --port 31082 --db :memory:': 'below (npm start serves), with these flags on a free port',
  'npm run test:image': '.ci/run (and the project\'s GitHub workflow)',
  'npx tap --disable-coverage test/routes/refunds-money.test.ts': 'npm test, with every other test file',
  'npm run test:unit': '.ci/run (npm test runs every lane, test/lanes.test.ts keeps them whole)',
  'npx piriod-mock har < journal.ndjson > run.har': 'test/test-kit/har.test.ts (the built command, on a file a server wrote)',
  'npx piriod-mock har journal.ndjson > run.har': 'test/test-kit/har.test.ts (a rotated file and its .1, read in order)',
  'pip install "git+https://github.com/piriod-mock/piriod-mock.git@v0.2.0#subdirectory=clients/python"': '.ci/run (pip install of ./clients/python, the same package from a folder), then its tests',
  'PIRIOD_MOCK_URL=http://127.0.0.1:8080 pytest': '.ci/run (the client\'s tests with PIRIOD_MOCK_URL, against an emulator it started)',
  // docs/parity.md's worked example: the DRF oracle as the target
  'PORT=8123 ORACLE_TOKENS=tok_local_oracle /usr/bin/python3 test/oracle/drf-oracle.py &': 'test/parity/oracle.test.ts (the oracle on a free port) and .ci/run\'s live parity',
  'curl -s -X POST 127.0.0.1:8123/__admin/payments -H \'x-simple-workspace: acc_1\' -H \'x-piriod-test-mode: true\' -H \'content-type: application/json\' -d \'{"id": 7, "amount": "25.00"}\'':
    'test/parity/oracle.test.ts (the same payment, made with fetch) and .ci/run\'s live parity',
  'npx piriod-mock parity --target http://127.0.0.1:8123 --token tok_local_oracle --workspace acc_1 --test-mode --payment 7': 'test/parity/oracle.test.ts and .ci/run (against the oracle)',
  'npx piriod-mock parity --target http://127.0.0.1:8123 --token tok_local_oracle --workspace acc_1 --test-mode --payment 7 --writes --record parity/recorded':
    'test/parity/oracle.test.ts (--writes --record, then --replay)',
  'npx piriod-mock parity --replay parity/recorded': 'test/parity/parity.test.ts (record, then replay) and the committed set it replays'
}

t.test('every README command is known', async t => {
  t.ok(all.length > 20)
  for (const { command } of all) {
    t.ok(command.startsWith('curl ') || command.startsWith('npx piriod-mock ') || ELSEWHERE[command] !== undefined, command)
  }
  const ci = readFileSync(join(root, '.ci/run'), 'utf8')
  t.match(ci, /\nnpm ci /)
  t.match(ci, /\nnpm test /)
  t.match(ci, /\nnpm run contract\n/)
  t.match(ci, /\nnpm run test:image\n/)
})

t.test('the README is a guide; the depth is one link away, and each page says first what it answers', async t => {
  const lines = readme.split('\n').length
  t.ok(lines <= 250, `the README has ${lines} lines`)
  for (const { path, text } of pages.slice(1)) {
    t.ok(readme.includes(`](${path})`), `the README links ${path}`)
    t.match(text, /^# .+\n\nThis page answers "[^"]+"/, `${path} starts with the question it answers`)
  }
  // every relative link in the README and the docs leads to a file that exists
  for (const { path, text } of pages) {
    for (const [, target = ''] of text.matchAll(/\]\(((?!https?:|#)[^)#\s]+)(?:#[^)]*)?\)/g)) {
      t.ok(existsSync(join(root, dirname(path), target)), `${path} → ${target}`)
    }
  }
})

t.test('the curl commands, in order, against a fresh emulator', async t => {
  const server = await startServer(t, { DATABASE_PATH: ':memory:', LOG_LEVEL: 'warn' })
  const host = server.url.replace('http://', '')
  const cwd = mkdtempSync(join(tmpdir(), 'piriod-readme-'))
  t.teardown(() => rmSync(cwd, { recursive: true, force: true }))
  // (a curl to another server, such as docs/parity.md's oracle, is in ELSEWHERE)
  const curls = all.filter(c => c.command.startsWith('curl ') && ELSEWHERE[c.command] === undefined)
  t.ok(curls.length >= 15, `${curls.length} curl commands`)
  for (const { command, expect } of curls) {
    const result = await new Promise<{ code: number | null, out: string }>(resolve => {
      const child = spawn('bash', ['-c', command.replaceAll('localhost:8080', host)], { cwd })
      let out = ''
      child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c })
      child.on('exit', code => resolve({ code, out }))
    })
    t.equal(result.code, 0, command)
    if (!command.includes(' > ')) t.doesNotThrow(() => JSON.parse(result.out), `${command} answers JSON: ${result.out.slice(0, 200)}`)
    if (expect !== undefined) t.equal(result.out, expect, `${command} answers what the README shows`)
    t.notMatch(result.out, /"detail":"(A server error|Not found)/, command)
  }
})

t.test('the npx piriod-mock commands', async t => {
  const cwd = mkdtempSync(join(tmpdir(), 'piriod-readme-npx-'))
  t.teardown(() => rmSync(cwd, { recursive: true, force: true }))
  copyFileSync(join(root, 'examples/seed.json'), join(cwd, 'seed.json'))
  for (const { command } of all.filter(c => c.command.startsWith('npx piriod-mock ') && ELSEWHERE[c.command] === undefined)) {
    const args = command.slice('npx piriod-mock '.length).split(/\s+/).map(a => a === './seed.json' ? join(cwd, 'seed.json') : a)
    const proc = run({ LOG_LEVEL: 'warn' }, [CLI, ...args])
    if (args.includes('--help')) {
      t.equal(await proc.exited, 0, command)
      t.match(proc.logs.join('\n'), /^Usage: piriod-mock/)
      continue
    }
    // the plain line is on stderr: stdout carries JSON lines only
    for (let i = 0; i < 400 && !proc.stderr().includes('piriod-mock listening on '); i++) await new Promise(resolve => setTimeout(resolve, 25))
    const url = /listening on (\S+)/.exec(proc.stderr())?.[1] as string
    t.ok(url, command)
    const seeded = await fetch(`${url}/__admin/payments/1001`, { headers: { 'x-simple-workspace': 'acc_01H8XYZ123ABC' } })
    t.equal(seeded.status, 200, 'the seed file was loaded')
    proc.child.kill('SIGTERM')
    t.equal(await proc.exited, 0)
  }
})

t.test('npm start serves', async t => {
  const port = await freePort()
  // npm does not pass SIGTERM on to the server (why the image runs node directly): the process group is stopped.
  // --ignore-scripts skips prestart's build: npm test built dist/ before tap started, and a rebuild here would
  // rewrite it while other test files read it
  // flags after `--` reach the server (the Quick start's `npm start -- --port 31082 --db :memory:`)
  const child = spawn('npm', ['start', '--ignore-scripts', '--', '--port', String(port), '--db', ':memory:'], { cwd: root, detached: true, env: { ...process.env, PORT: 'not-a-port', DATABASE_PATH: '/nonexistent/x', LOG_LEVEL: 'warn' }, stdio: 'ignore' })
  t.teardown(() => { try { process.kill(-(child.pid as number), 'SIGKILL') } catch {} })
  let healthy = false
  for (let i = 0; i < 600 && !healthy; i++) {
    healthy = await fetch(`http://127.0.0.1:${port}/__admin/health`).then(r => r.ok, () => false)
    if (!healthy) await new Promise(resolve => setTimeout(resolve, 50))
  }
  t.ok(healthy)
  process.kill(-(child.pid as number), 'SIGTERM')
})

t.test('the TypeScript examples pass, each as a test file of its own', async t => {
  const blocks = pages.flatMap(page => [...page.text.matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1] as string))
  t.equal(blocks.length, 2, 'the programmatic API example (README) and the reproducible-runs one (docs/admin-api.md)')
  const dir = mkdtempSync(join(root, 'test', '.readme-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  for (const [i, block] of blocks.entries()) {
    const code = block.replace("from 'piriod-mock'", `from ${JSON.stringify(join(root, 'src/index.ts'))}`)
    t.match(code, 'startPiriodMock')
    const file = join(dir, `example-${i}.test.ts`)
    writeFileSync(file, code)
    const proc = run({}, [file])
    t.equal(await proc.exited, 0, proc.stderr() + proc.logs.join('\n'))
    const name = /t\.test\('([^']+)'/.exec(block)?.[1] as string
    t.ok(proc.logs.includes(`ok 1 - ${name}`) || proc.logs.some(l => l.startsWith(`ok 1 - ${name} #`)), name)
    t.notMatch(proc.logs.join('\n'), /not ok/)
  }
})

/** A Python 3.9+ that has pytest (Debian's python3-pytest, which .ci/run installs), or undefined. */
function pythonWithPytest (): string | undefined {
  return ['python3', '/usr/bin/python3'].find(python =>
    spawnSync(python, ['-c', 'import sys, pytest; sys.exit(sys.version_info < (3, 9))'], { stdio: 'ignore' }).status === 0)
}

const python = pythonWithPytest()
// REQUIRE_PYTEST (set by .ci/run, which installs it) makes a missing pytest a failure, not a skip
const noPytest = python === undefined && process.env.REQUIRE_PYTEST !== '1' ? 'no python3 with pytest (apt install python3-pytest)' : false
t.test('the Python example passes under pytest, the fixture starting an emulator of its own', { skip: noPytest }, async t => {
  const blocks = [...readme.matchAll(/```python\n([\s\S]*?)```/g)].map(m => m[1] as string)
  t.equal(blocks.length, 1, 'one Python example, in "From Python (pytest)"')
  if (python === undefined) return t.fail('REQUIRE_PYTEST=1 but no python3 with pytest')
  const dir = mkdtempSync(join(tmpdir(), 'piriod-readme-py-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'test_readme.py'), blocks[0] as string)
  const result = await new Promise<{ code: number | null, out: string }>(resolve => {
    // the plugin from the sources (an installed one would register twice: autoloading is off)
    const child = spawn(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-p', 'piriod_mock.pytest_plugin', 'test_readme.py'], {
      cwd: dir,
      env: {
        ...process.env,
        PYTHONPATH: join(root, 'clients/python/src'),
        PYTEST_DISABLE_PLUGIN_AUTOLOAD: '1',
        PIRIOD_MOCK_COMMAND: `'${process.execPath}' '${join(root, 'dist/cli.js')}' --port 0 --db :memory:`
      }
    })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c })
    child.stderr.setEncoding('utf8').on('data', (c: string) => { out += c })
    child.on('exit', code => resolve({ code, out }))
  })
  t.equal(result.code, 0, result.out)
  t.match(result.out, /\b1 passed\b/)
})
