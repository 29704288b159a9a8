// `piriod-mock parity` against the DRF oracle (test/oracle/drf-oracle.py, a real Django REST Framework app answering
// Piriod's contract): every probe agrees, the oracle's payment is untouched without --writes, --writes makes only
// refunds of 0.01, and a set recorded from it replays. Needs Debian's python3-djangorestframework and gunicorn,
// which .ci/run installs and then requires (REQUIRE_ORACLE=1); without them, and without REQUIRE_ORACLE, it skips.
import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parityCommand } from '../../src/parity/command.js'
import { parityEmulator } from '../../src/process.js'
import { freePort } from '../process.js'

const ORACLE = fileURLToPath(new URL('../oracle/drf-oracle.py', import.meta.url))
const TOKEN = 'tok_oracle_parity_5678'

const python = ['python3', '/usr/bin/python3'].find(p =>
  spawnSync(p, ['-c', 'import rest_framework, gunicorn'], { stdio: 'ignore' }).status === 0)
const skip = python === undefined && process.env.REQUIRE_ORACLE !== '1' ? 'no python3 with Django REST Framework and gunicorn (apt install python3-djangorestframework gunicorn)' : false

async function parity (args: string[]): Promise<{ code: number, out: string, err: string }> {
  let out = ''
  let err = ''
  const io = { stdout: { write: (s: string) => { out += s } }, stderr: { write: (s: string) => { err += s } }, env: {} }
  return { code: await parityCommand(args, io, parityEmulator, '0.0.0-test'), out, err }
}

t.test('parity against the DRF oracle', { skip }, async t => {
  if (python === undefined) return t.fail('REQUIRE_ORACLE=1 but no python3 with Django REST Framework and gunicorn')
  const port = await freePort()
  const oracle = spawn(python, [ORACLE], { env: { ...process.env, PORT: String(port), ORACLE_TOKENS: TOKEN }, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  oracle.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c })
  t.teardown(() => { oracle.kill('SIGTERM') })
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    const up = await fetch(`${url}/__admin/health`).then(r => r.ok, () => false)
    if (up) break
    if (i === 300 || oracle.exitCode !== null) return t.fail(`the oracle did not start: ${stderr}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  const admin = async (path: string, testMode: boolean, body?: unknown): Promise<Record<string, any>> => {
    const res = await fetch(`${url}/__admin/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'x-simple-workspace': 'acc_1', 'x-piriod-test-mode': String(testMode), 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    return await res.json() as Record<string, any>
  }
  await admin('payments', false, { id: 7, amount: '40.00' })
  await admin('payments', true, { id: 7, amount: '25.00' })
  const args = ['--target', url, '--token', TOKEN, '--workspace', 'acc_1']

  await t.test('every probe agrees, and the payment is untouched', async t => {
    const r = await parity([...args, '--payment', '7'])
    t.equal(r.code, 0, 'exit 0')
    t.match(r.out, /\n(\d+) probes: \1 agree, 0 differ\n$/)
    if (r.code !== 0) t.comment(r.out + r.err)
    t.match(await admin('payments/7', false), { amount: 40, refunded: 0, refunds: [] })
  })

  await t.test('--writes: three refunds of 0.01 on the test-mode payment, nothing else', async t => {
    const dir = mkdtempSync(join(tmpdir(), 'piriod-parity-oracle-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    const r = await parity([...args, '--test-mode', '--payment', '7', '--writes', '--record', dir])
    t.equal(r.code, 0, 'exit 0')
    if (r.code !== 0) t.comment(r.out + r.err)
    t.match(r.out, /refund-3 +201 +201 +yes\nover-refund-exact +400 +400 +yes/)
    const payment = await admin('payments/7', true)
    t.strictSame((payment.refunds as Array<{ amount: number }>).map(r => r.amount), [0.01, 0.01, 0.01])
    t.equal(payment.balance, 24.97)
    t.match(await admin('payments/7', false), { refunded: 0, refunds: [] }, 'the live payment untouched')
    const replayed = await parity(['--replay', dir])
    t.equal(replayed.code, 0, 'the recording replays')
    t.equal(/\n(\d+) probes:/.exec(replayed.out)?.[1], /\n(\d+) probes:/.exec(r.out)?.[1])
  })
})
