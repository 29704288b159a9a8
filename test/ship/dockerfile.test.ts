// The Dockerfile's structure, checked on every npm test; npm run test:image builds and runs the image itself.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../../src/config.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const text = readFileSync(`${root}Dockerfile`, 'utf8')

interface Instruction { op: string, args: string }

/** Instructions with continuation lines joined and comments dropped. */
function parse (dockerfile: string): Instruction[] {
  const logical = dockerfile.replace(/\\\n/g, ' ').split('\n').map(l => l.trim()).filter(l => l !== '' && !l.startsWith('#'))
  return logical.map(line => {
    const [op = '', ...rest] = line.split(/\s+/)
    return { op: op.toUpperCase(), args: rest.join(' ') }
  })
}

const all = parse(text)
const stageStarts = all.flatMap((ins, i) => ins.op === 'FROM' ? [i] : [])
const stages = stageStarts.map((start, k) => all.slice(start, stageStarts[k + 1]))
const [build = [], runtime = []] = stages

t.test('two stages on one pinned Node LTS tag', async t => {
  t.equal(stages.length, 2)
  const bases = stages.map(s => (s[0] as Instruction).args.split(/\s+/)[0])
  t.equal(bases[0], bases[1], 'the same image in both stages')
  t.match(bases[0], /^node:22\.\d+\.\d+-bookworm-slim$/, 'a full version, not a moving tag')
  t.match((build[0] as Instruction).args, / AS build$/i)
  // npm run test:image removes the untagged images earlier runs left by this label: both stages carry it
  for (const stage of stages) t.match(stage.find(i => i.op === 'LABEL')?.args, /^org\.opencontainers\.image\.title="piriod-mock"/)
})

t.test('build stage: native toolchain, npm ci, build, prune', async t => {
  const runs = build.filter(i => i.op === 'RUN').map(i => i.args).join('\n')
  t.match(runs, /apt-get install -y --no-install-recommends python3 make g\+\+/)
  t.match(runs, /rm -rf \/var\/lib\/apt\/lists/)
  t.match(runs, /npm ci/)
  t.match(runs, /npm run build/)
  t.match(runs, /npm prune --omit=dev/)
  t.ok(runs.indexOf('npm ci') < runs.indexOf('npm run build') && runs.indexOf('npm run build') < runs.indexOf('npm prune'))
  t.match(runs, /npm prune [^\n]*&& cd node_modules\/better-sqlite3 && find build -mindepth 1 -not -path build\/Release -not -path build\/Release\/better_sqlite3\.node -delete && rm -rf deps src/, 'a source build leaves only its addon')
})

t.test('runtime stage: only what runs, as the node user, healthy, node as PID 1', async t => {
  const copies = runtime.filter(i => i.op === 'COPY').map(i => i.args)
  const copied = copies.map(c => c.split(/\s+/).at(-2))
  t.strictSame(copied.sort(), ['/app/dist', '/app/migrations', '/app/node_modules', '/app/package.json'])
  t.ok(copies.every(c => c.includes('--from=build') && !c.includes('--chown')), 'owned by root: read-only to the server\'s user')
  const env = runtime.filter(i => i.op === 'ENV').map(i => i.args).join(' ')
  t.match(env, /HOST=0\.0\.0\.0/)
  t.match(env, /DATABASE_PATH=\/data\/piriod-mock\.sqlite/)
  t.match(env, /NODE_ENV=production/)
  const envKeys = [...env.matchAll(/\b([A-Z_]+)=/g)].map(m => m[1] as string).filter(k => k !== 'NODE_ENV' && k !== 'NODE_COMPILE_CACHE')
  const config = loadConfig({})
  for (const key of envKeys) t.ok(key in config, `${key} is a configuration variable`)
  t.strictSame(runtime.filter(i => i.op === 'VOLUME').map(i => i.args), ['/data'])
  const run = runtime.filter(i => i.op === 'RUN').map(i => i.args).join(' ')
  t.match(run, /^mkdir -p \/data \/app\/\.compile-cache && chown node:node \/data \/app\/\.compile-cache /)
  t.match(run, / && chown -R root:root \/app\/\.compile-cache && chmod -R a\+rX,go-w \/app\/\.compile-cache$/, 'then only /data belongs to the server\'s user')
  const users = runtime.filter(i => i.op === 'USER')
  t.strictSame(users.map(i => i.args), ['node'], 'runs unprivileged')
  t.strictSame(runtime.filter(i => i.op === 'EXPOSE').map(i => i.args), [String(config.PORT)])
  const health = runtime.filter(i => i.op === 'HEALTHCHECK')
  t.equal(health.length, 1)
  t.match(health[0]?.args, /--interval=\d+s/)
  t.match(health[0]?.args, /CMD \["node", "-e", ".*fetch\(.*\/__admin\/health/)
  t.notMatch(all.map(i => i.args).join('\n'), /\bcurl\b|\bwget\b/, 'slim images have neither')
  const cmd = runtime.filter(i => i.op === 'CMD')
  t.equal(cmd.length, 1)
  // the image runs what npm start runs, node flags included, as PID 1
  const start = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: { start: string } }).scripts.start
  t.match(start, /^node .*dist\/server\.js$/)
  t.strictSame(JSON.parse(cmd[0]?.args ?? ''), start.split(' '), 'exec form, npm start\'s command')
  t.match(text, `su node -s /bin/sh -c 'DATABASE_PATH=:memory: PORT=0 LOG_LEVEL=warn timeout -s TERM 3 ${start}'`, 'the compile cache is filled by the same command, as the same user (V8 rejects a cache made under other flags; Node keeps one per uid)')
  t.notMatch(text, /npm start/)
  t.ok(all.findIndex(i => i.op === 'USER') < all.findIndex(i => i.op === 'CMD'))
})

t.test('.dockerignore keeps the context small and free of local state', async t => {
  const ignored = readFileSync(`${root}.dockerignore`, 'utf8').split('\n').map(l => l.trim()).filter(l => l !== '' && !l.startsWith('#'))
  for (const entry of ['node_modules', 'dist', '.git', '.tap', '*.sqlite', '.env', 'test']) t.ok(ignored.includes(entry), entry)
  // and nothing the build stage copies is ignored
  for (const copied of ['package.json', 'package-lock.json', 'tsconfig.json', 'scripts', 'src', 'migrations']) t.notOk(ignored.includes(copied), copied)
})
