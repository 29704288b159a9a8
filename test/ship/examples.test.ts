// The compose and GitHub Actions examples agree with the real configuration, so they cannot rot.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { envFromArgs } from '../../src/cli-args.js'
import { ConfigSchema, loadConfig } from '../../src/config.js'
import { readDocument } from '../../src/test-kit/snapshot.js'
import { loads } from '../../src/python/json.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8')
const KEYS = new Set(Object.keys(ConfigSchema.properties))
const HEALTH = /fetch\('http:\/\/127\.0\.0\.1:(\d+)\/__admin\/health'\)/

t.test('docker-compose.yml', async t => {
  const compose = parse(read('examples/docker-compose.yml'))
  const piriod = compose.services.piriod
  const env = piriod.environment as Record<string, string>
  for (const key of Object.keys(env)) t.ok(KEYS.has(key), `${key} is a configuration variable`)
  const config = loadConfig({ ...env, HOST: '0.0.0.0', DATABASE_PATH: '/data/piriod-mock.sqlite' })
  t.strictSame(piriod.ports, [`127.0.0.1:\${PIRIOD_PORT:-${config.PORT}}:${config.PORT}`], 'publishes the port it listens on, on the host\'s loopback only')
  t.equal(piriod.healthcheck, undefined, 'the image\'s own HEALTHCHECK, not a copy (podman-compose 1.0 breaks exec-form ones)')
  t.equal(piriod.image, 'piriod-mock:local', 'the tag npm run test:image builds')
  t.equal(compose.services.app.image, /^FROM (\S+)/m.exec(read('Dockerfile'))?.[1], 'the app runs on the image the emulator is built on: nothing more to pull')
  const app = (compose.services.app.command as string[]).join(' ')
  t.match(app, "fetch(url + '/refunds/'", 'the app makes a real refund')
  t.match(app, 'payment: 1002', 'against a payment the seed file holds')
  t.notMatch(app, /\$\{/, 'nothing compose would interpolate')
  const seedMount = (piriod.volumes as string[]).find(v => v.endsWith(':ro'))
  t.equal(seedMount, `./seed.json:${env.SEED_FILE}:ro`, 'the seed file is mounted read-only where SEED_FILE points')
  t.ok((piriod.volumes as string[]).some(v => v.endsWith(':/data')), 'the named volume holds the image\'s /data')
  t.ok(compose.volumes['piriod-data'] !== undefined)
  t.match(env.JOURNAL_FILE, /^\/data\//, 'the journal file is on the volume, so it outlives the container')
  t.match(read('examples/docker-compose.yml'), `cp piriod:${env.JOURNAL_FILE} `, 'and the comment shows how to copy it out')
  t.strictSame(compose.services.app.depends_on, { piriod: { condition: 'service_healthy' } })
  t.equal(compose.services.app.environment.PIRIOD_API_URL, `http://piriod:${config.PORT}`)
  const [token] = config.tokens.keys()
  t.equal(compose.services.app.environment.PIRIOD_API_TOKEN, token, 'the app uses a token the emulator accepts')
})

t.test('github-actions.yml', async t => {
  const workflow = parse(read('examples/github-actions.yml'))
  const service = workflow.jobs['with-service-container'].services.piriod
  for (const key of Object.keys(service.env)) t.ok(KEYS.has(key), `${key} is a configuration variable`)
  const config = loadConfig(service.env)
  t.strictSame(service.ports, [`127.0.0.1:${config.PORT}:${config.PORT}`], 'on the runner\'s loopback only')
  t.equal(HEALTH.exec(service.options.replace(/\\"/g, '"'))?.[1], String(config.PORT))
  t.equal(workflow.jobs['with-service-container'].env.PIRIOD_API_TOKEN, [...config.tokens.keys()][0])
  // the journal is kept as an artifact, even when the tests fail
  const kept = workflow.jobs['with-service-container'].steps as Array<{ run?: string, uses?: string, if?: string, with?: { path: string } }>
  const copy = kept.find(s => s.run?.startsWith('docker cp'))
  t.match(copy, { if: 'always()', run: `docker cp "\${{ job.services.piriod.id }}:${config.JOURNAL_FILE}" piriod-journal.ndjson` })
  t.match(kept.find(s => s.uses?.startsWith('actions/upload-artifact@')), { if: 'always()', with: { path: 'piriod-journal.ndjson' } })

  const steps = workflow.jobs['with-npx'].steps as Array<{ run?: string }>
  const start = steps.find(s => s.run?.includes('npx'))?.run ?? ''
  const args = /npx --yes piriod-mock (.*) &/.exec(start)?.[1]?.split(/\s+/) ?? []
  t.ok(args.length > 0)
  const env = envFromArgs(args, {})
  const fromFlags = loadConfig(env)
  t.equal(fromFlags.PORT, 8080)
  t.equal(fromFlags.DATABASE_PATH, ':memory:')
  t.match(start, `http://127.0.0.1:${fromFlags.PORT}/__admin/health`)
  t.equal(workflow.jobs['with-npx'].env.PIRIOD_API_TOKEN, [...fromFlags.tokens.keys()][0])
  t.equal(fromFlags.JOURNAL_FILE, 'piriod-journal.ndjson')
  const upload = steps.find(s => (s as { uses?: string }).uses?.startsWith('actions/upload-artifact@')) as { if: string, with: { path: string } }
  t.equal(upload.if, 'always()')
  t.match(upload.with.path, fromFlags.JOURNAL_FILE)
  t.ok(steps.some(s => s.run === `npx --yes piriod-mock har < ${fromFlags.JOURNAL_FILE} > piriod-run.har`), 'converted to HAR')
})

t.test('seed.json: several workspaces, both modes, a payment whose refunds fail', async t => {
  const doc = readDocument(loads(read('examples/seed.json')))
  t.ok(doc.ok, JSON.stringify(doc))
  if (!doc.ok) return
  const { payments } = doc
  t.ok(new Set(payments.map(p => p.workspace)).size >= 2)
  t.ok(payments.some(p => p.testMode) && payments.some(p => !p.testMode))
  t.ok(payments.some(p => p.refundOutcome === 'failed'))
  t.ok(payments.some(p => p.refunds.length > 0))
})
