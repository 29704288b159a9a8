// npm run test:image: builds the image from this repository's Dockerfile with the engine this machine has, runs it,
// checks what its users rely on, and measures it. Exits 0 only when every check passed; the image stays tagged
// piriod-mock:local for running by hand.
//
// Checks: the image's own HEALTHCHECK reports healthy; node is PID 1 and runs as uid 1000; the README walkthrough
// answers as documented; a read-only SEED_FILE loads; a named volume at /data keeps the data when the container is
// replaced; `stop` ends it with exit 0 in under 2 s; the server's user cannot write the application files; a
// root-owned bind mount at /data stops the start with one clear line; examples/docker-compose.yml runs end to end
// (its app container makes a real refund). Measures: image size (base and app layers apart), cold and warm
// build times, run → first 200 (median of 5), idle RSS.
//
// Machine-specific settings stay out of the image: where TLS to the npm registry is intercepted, the CA bundle
// named by NODE_EXTRA_CA_CERTS is mounted read-only into the build with an npmrc that points npm at it (podman
// only; a Docker engine's builds use the engine's own trust).
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../process.js'
import { shellCommands } from '../readme-commands.js'
import { ensureBase } from './base.js'
import { exec, findEngine, type Engine } from './engine.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CACHE = join(ROOT, '.cache/image')
const IMAGE = 'piriod-mock:local'
/** the label every image the Dockerfile makes carries */
const TITLE = 'org.opencontainers.image.title=piriod-mock'
const PREFIX = `piriod-mock-check-${process.pid}`
const README = readFileSync(join(ROOT, 'README.md'), 'utf8')
const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')

let failures = 0
function check (ok: boolean, what: string, detail = ''): void {
  console.log(`${ok ? 'ok' : 'not ok'} - ${what}${ok || detail === '' ? '' : `\n  ${detail.trim().replaceAll('\n', '\n  ')}`}`)
  if (!ok) failures++
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

async function timed<T> (fn: () => Promise<T>): Promise<{ ms: number, value: T }> {
  const started = performance.now()
  const value = await fn()
  return { ms: performance.now() - started, value }
}

/** Polls until the URL answers 200; the time it took, or Infinity after the deadline. */
async function firstOk (url: string, deadlineMs = 30_000): Promise<number> {
  const started = performance.now()
  while (performance.now() - started < deadlineMs) {
    if (await fetch(url).then(r => r.ok, () => false)) return performance.now() - started
    await sleep(10)
  }
  return Infinity
}

/** Everything a check starts, removed at the end whatever happened. */
const containers = new Set<string>()
const volumes = new Set<string>()

async function start (engine: Engine, name: string, args: string[] = []): Promise<{ url: string, ms: number }> {
  const port = await freePort()
  containers.add(name)
  const started = performance.now()
  await engine.run(['run', '-d', '--name', name, ...engine.runFlags, '-p', `127.0.0.1:${port}:8080`, ...args, IMAGE])
  const url = `http://127.0.0.1:${port}`
  const ready = await firstOk(`${url}/__admin/health`)
  if (ready === Infinity) {
    const logs = await engine.run(['logs', name], { allowFailure: true })
    throw new Error(`${name} never answered /__admin/health:\n${logs.out}${logs.err}`)
  }
  return { url, ms: performance.now() - started }
}

async function remove (engine: Engine, name: string): Promise<void> {
  await engine.run(['rm', '-f', '-v', name], { allowFailure: true })
  containers.delete(name)
}

async function build (engine: Engine, cold: boolean): Promise<number> {
  const args = ['build', '-t', IMAGE, ...engine.runFlags]
  if (cold) args.push('--no-cache')
  if (engine.name === 'podman') {
    // the docker format keeps HEALTHCHECK (OCI drops it); the base is ours or already pulled
    args.push('--format', 'docker', '--pull=never')
    const npmrc = ['nodedir=/usr/local'] // node-gyp: the base's headers, where Node's download site is unreachable
    const ca = process.env.NODE_EXTRA_CA_CERTS
    if (ca !== undefined && ca !== '') {
      args.push('-v', `${ca}:/run/piriod-mock-build-ca.pem:ro`)
      npmrc.push('cafile=/run/piriod-mock-build-ca.pem')
    }
    writeFileSync(join(CACHE, 'npmrc'), npmrc.join('\n') + '\n')
    args.push('-v', `${join(CACHE, 'npmrc')}:/usr/local/etc/npmrc:ro`)
  }
  const { ms } = await timed(async () => engine.run([...args, ROOT]))
  return ms
}

async function inspect (engine: Engine, what: string, format: string): Promise<string> {
  return (await engine.run(['inspect', '--format', format, what])).out.trim()
}

/** A shell script run in the container as its own user; what it printed, stdout and stderr. */
async function execIn (engine: Engine, name: string, script: string): Promise<string> {
  const r = await engine.run(['exec', name, 'sh', '-c', script], { allowFailure: true })
  return r.out + r.err
}

async function main (): Promise<void> {
  mkdirSync(CACHE, { recursive: true })
  const engine = await findEngine(CACHE)
  const version = (await engine.run(['--version'])).out.trim()
  console.log(`# engine: ${version}`)
  const base = await ensureBase(engine, DOCKERFILE)
  console.log(`# base: ${base.tag} (${base.standIn ? 'a stand-in assembled here: the official image cannot be pulled; sizes are right for the app layers only' : 'the official image'})`)

  // ---- build, cold then warm; first what earlier runs left untagged (every cold build leaves a set behind), by
  // the Dockerfile's label, so nobody else's images are touched
  await engine.run(['image', 'prune', '-f', '--filter', `label=${TITLE}`], { allowFailure: true })
  // --warm-only (while working on this script): no cold build, the layers cached from the last run are used
  const coldMs = process.argv.includes('--warm-only') ? NaN : await build(engine, true)
  const warmMs = await build(engine, false)
  const baseSize = Number(await inspect(engine, base.tag, '{{.Size}}'))
  const imageSize = Number(await inspect(engine, IMAGE, '{{.Size}}'))
  check(imageSize > baseSize, `built ${IMAGE}`)
  console.log(`# image: ${mb(imageSize)} = base ${mb(baseSize)} + app layers ${mb(imageSize - baseSize)}`)
  console.log(`# build: cold ${seconds(coldMs)}, warm (nothing changed) ${seconds(warmMs)}`)

  // ---- run → first 200, five times
  const startups: number[] = []
  for (let i = 0; i < 5; i++) {
    const { ms } = await start(engine, `${PREFIX}-start-${i}`)
    startups.push(ms)
    await remove(engine, `${PREFIX}-start-${i}`)
  }
  console.log(`# run → first 200 from /__admin/health: median ${median(startups).toFixed(0)} ms (${startups.map(ms => ms.toFixed(0)).join(', ')})`)

  // ---- one container: health, user, PID 1, the walkthrough, files, RSS
  const main = `${PREFIX}-main`
  const { url } = await start(engine, main)
  const healthcheck = await inspect(engine, IMAGE, engine.name === 'podman' ? '{{json .HealthCheck}}' : '{{json .Config.Healthcheck}}')
  check(healthcheck.includes('/__admin/health'), 'the image carries its HEALTHCHECK', healthcheck)
  if (engine.name === 'podman') {
    // no systemd runs podman's health timers here: run the image's own check once
    const health = await engine.run(['healthcheck', 'run', main], { allowFailure: true })
    check(health.code === 0, 'the image\'s HEALTHCHECK reports healthy (podman healthcheck run)', health.out + health.err)
  } else {
    let status = ''
    for (let i = 0; i < 60 && status !== 'healthy'; i++) {
      status = await inspect(engine, main, '{{.State.Health.Status}}')
      if (status !== 'healthy') await sleep(500)
    }
    check(status === 'healthy', 'the image\'s HEALTHCHECK reports healthy', status)
  }
  const status1 = await execIn(engine, main, 'cat /proc/1/status')
  check(/^Uid:\s+1000\s/m.test(status1), 'the server runs as uid 1000', status1.split('\n').find(l => l.startsWith('Uid')))
  const cmdline = (await execIn(engine, main, 'cat /proc/1/cmdline')).split('\0').filter(Boolean)
  const start1 = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
  check(JSON.stringify(cmdline) === JSON.stringify(start1.split(' ')), 'PID 1 is node running npm start\'s command', cmdline.join(' '))

  const walkthrough = shellCommands(section(README, 'A 60-second walkthrough')).filter(c => c.command.startsWith('curl '))
  check(walkthrough.length >= 4, `the README walkthrough has ${walkthrough.length} curl commands`)
  for (const { command, expect } of walkthrough) {
    const r = await exec('bash', ['-c', command.replaceAll('localhost:8080', url.replace('http://', ''))], { allowFailure: true })
    let json = true
    try { JSON.parse(r.out) } catch { json = false }
    check(r.code === 0 && json && (expect === undefined || r.out === expect), `walkthrough: ${command.slice(0, 90)}`, `${r.out}${r.err}${expect === undefined ? '' : `\nexpected ${expect}`}`)
  }

  const writable = await execIn(engine, main, 'find /app -writable -print | head -5; touch /app/dist/x 2>/dev/null && echo touched /app/dist/x; test -w /data && echo data-is-writable')
  check(writable === 'data-is-writable\n', 'the server\'s user cannot write /app (dist, node_modules, migrations, package.json), only /data', writable)
  const owners = await execIn(engine, main, 'stat -c "%U %n" /app/package.json /app/dist /app/node_modules /app/migrations /app/.compile-cache /data')
  check(owners === 'root /app/package.json\nroot /app/dist\nroot /app/node_modules\nroot /app/migrations\nroot /app/.compile-cache\nnode /data\n', 'application files (and the compile cache) belong to root, /data to node', owners)
  const objs = await execIn(engine, main, 'ls /app/node_modules/better-sqlite3/build/Release')
  check(objs.trim() === 'better_sqlite3.node', 'better-sqlite3 keeps only its addon from the source build', objs)

  await sleep(3000)
  const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(await execIn(engine, main, 'cat /proc/1/status'))?.[1])
  console.log(`# idle RSS in the container after the walkthrough: ${(rss / 1024).toFixed(0)} MB`)

  // ---- stop: SIGTERM, exit 0, quickly
  const stopped = await timed(async () => engine.run(['stop', '-t', '10', main]))
  const exitCode = await inspect(engine, main, '{{.State.ExitCode}}')
  check(exitCode === '0' && stopped.ms < 2000, `stop ends it with exit 0 in ${seconds(stopped.ms)}`, `exit ${exitCode}`)
  await remove(engine, main)

  // ---- a seed file mounted read-only
  const seedDir = mkdtempSync(join(tmpdir(), 'piriod-image-seed-'))
  chmodSync(seedDir, 0o755)
  copyFileSync(join(ROOT, 'examples/seed.json'), join(seedDir, 'seed.json'))
  try {
    const seeded = await start(engine, `${PREFIX}-seed`, ['-v', `${join(seedDir, 'seed.json')}:/seed/seed.json:ro`, '-e', 'SEED_FILE=/seed/seed.json'])
    const payment = await fetch(`${seeded.url}/__admin/payments/1001`, { headers: { 'x-simple-workspace': 'acc_01H8XYZ123ABC' } })
    const body = await payment.text()
    check(payment.status === 200 && body.includes('"amount":250.0') && body.includes('RCPT-1001-1'), 'SEED_FILE mounted read-only loads', body)
    await remove(engine, `${PREFIX}-seed`)
  } finally {
    rmSync(seedDir, { recursive: true, force: true })
  }

  // ---- a named volume outlives its container
  const volume = `${PREFIX}-data`
  volumes.add(volume)
  await engine.run(['volume', 'create', volume])
  const first = await start(engine, `${PREFIX}-vol-1`, ['-v', `${volume}:/data`])
  const ws = { 'x-simple-workspace': 'acc_volume', 'content-type': 'application/json' }
  await fetch(`${first.url}/__admin/payments`, { method: 'POST', headers: ws, body: '{"id": 7, "amount": "12.50"}' })
  const refund = await fetch(`${first.url}/refunds/`, { method: 'POST', headers: { ...ws, authorization: 'Token tok_image' }, body: '{"payment": 7, "amount": "2.50", "reason": "duplicate", "receipt": "V-1"}' })
  check(refund.status === 201, 'a refund in the first container', await refund.text())
  await remove(engine, `${PREFIX}-vol-1`) // rm -f: killed, not stopped
  const second = await start(engine, `${PREFIX}-vol-2`, ['-v', `${volume}:/data`])
  const kept = await (await fetch(`${second.url}/__admin/payments/7`, { headers: ws })).text()
  check(kept.includes('"refunded":2.5') || kept.includes('"receipt":"V-1"'), 'the payment and its refund are in a new container on the same volume', kept)
  await remove(engine, `${PREFIX}-vol-2`)

  // ---- a root-owned bind mount at /data: one clear line, exit 1
  const rootOwned = mkdtempSync(join(tmpdir(), 'piriod-image-data-'))
  chmodSync(rootOwned, 0o755)
  try {
    const name = `${PREFIX}-rootdata`
    containers.add(name)
    // detached, then its own output: podman's complaints about systemd health timers are not the container's
    await engine.run(['run', '-d', '--name', name, ...engine.runFlags, '-v', `${rootOwned}:/data`, IMAGE])
    const code = Number((await engine.run(['wait', name])).out.trim())
    const logs = await engine.run(['logs', name])
    const lines = (logs.out + logs.err).split('\n').filter(l => l.trim() !== '')
    check(code === 1 && lines.length === 1 && /^piriod-mock: DATABASE_PATH \/data\/piriod-mock\.sqlite: .*SQLITE_CANTOPEN.*writ/.test(lines[0] ?? ''),
      'a /data the server cannot write stops the start with one clear line', `exit ${code}\n${lines.join('\n')}`)
    await remove(engine, name)
  } finally {
    rmSync(rootOwned, { recursive: true, force: true })
  }

  await compose(engine)
}

/** examples/docker-compose.yml, end to end: its app container waits for the emulator and makes a refund. */
async function compose (engine: Engine): Promise<void> {
  const file = join(ROOT, 'examples/docker-compose.yml')
  const project = `${PREFIX}-compose`
  let cmd: string[]
  let env = engine.env
  if (engine.name === 'docker') {
    cmd = ['docker', 'compose', '-p', project, '-f', file]
  } else {
    if ((await exec('podman-compose', ['version'], { allowFailure: true, env }).catch(() => ({ code: 1 }))).code !== 0) {
      const [apt, ...pre] = process.getuid?.() === 0 ? ['apt-get'] : ['sudo', 'apt-get']
      await exec(apt as string, [...pre, 'install', '-y', '-qq', 'podman-compose'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
    }
    cmd = ['podman-compose', '-p', project, '-f', file]
    env = { ...env, BUILDAH_FORMAT: 'docker' }
  }
  env = { ...env, PIRIOD_PORT: String(await freePort()) } // the example publishes 8080 on loopback unless told otherwise
  const [bin, ...args] = cmd as [string, ...string[]]
  try {
    // no --build: the image this run built and checked is the one compose names (piriod-mock:local)
    const up = await exec(bin, [...args, 'up', '--exit-code-from', 'app'], { env, allowFailure: true })
    const out = up.out + up.err
    check(up.code === 0 && /201 \{"id":"ref_[^"]+","payment":1002,"amount":1\.0/.test(out), 'docker-compose example: the app container made a refund against the seeded payment', out.slice(-3000))
    const ps = await engine.run(['ps', '-a', '--format', '{{.Names}}'])
    // podman-compose names it <project>_piriod_1, docker compose <project>-piriod-1
    const piriod = ps.out.split('\n').find(n => n.startsWith(project) && /^[-_]piriod[-_]1$/.test(n.slice(project.length)))
    const journal = mkdtempSync(join(tmpdir(), 'piriod-image-journal-'))
    try {
      await engine.run(['cp', `${piriod ?? ''}:/data/journal.ndjson`, join(journal, 'journal.ndjson')], { allowFailure: true })
      const lines = (() => { try { return readFileSync(join(journal, 'journal.ndjson'), 'utf8').trim().split('\n') } catch { return [] } })()
      check(lines.some(l => l.includes('"path":"/refunds/"') && l.includes('"status":201')), 'the journal file the example keeps in its volume holds the refund', lines.slice(-2).join('\n'))
    } finally {
      rmSync(journal, { recursive: true, force: true })
    }
  } finally {
    await exec(bin, [...args, 'down', '-v'], { env, allowFailure: true })
  }
}

function section (markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`)
  const end = markdown.indexOf('\n## ', start + 1)
  return start < 0 ? '' : markdown.slice(start, end < 0 ? undefined : end)
}

try {
  await main()
} catch (err) {
  check(false, 'the run ended early', (err as Error).stack ?? String(err))
} finally {
  const cleanup = await findEngine(CACHE)
  for (const name of containers) await cleanup.run(['rm', '-f', '-v', name], { allowFailure: true })
  for (const volume of volumes) await cleanup.run(['volume', 'rm', '-f', volume], { allowFailure: true })
}
console.log(failures === 0 ? '# every image check passed' : `# ${failures} image check(s) failed`)
process.exitCode = failures === 0 ? 0 : 1
