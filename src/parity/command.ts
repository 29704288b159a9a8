// `piriod-mock parity`: the same battery of probes to a target (a real Piriod account, or anything that answers
// as it should) and to an emulator started here in memory, and every difference shown. Exit 0 when all agree, 1
// when any differs, 2 when the target cannot be asked (unreachable, the token refused) or the command is wrong.
import { parseArgs } from 'node:util'
import { redactAuthorization } from '../redact.js'
import { differences, firstDifference, type Answer, type Difference } from './compare.js'
import { baseOf, send, Unreachable } from './http.js'
import { exactOverRefundProbe, safeProbes, UNCOVERABLE, writeProbe, type Probe, type ProbeContext } from './probes.js'
import { answerJson, Recorder, Recording, shownRequest } from './record.js'

export const PARITY_USAGE = `Usage: piriod-mock parity --target URL --token TOKEN --workspace WS [options]
       piriod-mock parity --replay DIR [--json]

Sends a fixed battery of probes to the target and to an emulator started here (in memory, accepting the same
token) and compares the answers: status, Content-Type, Allow, WWW-Authenticate, Location and the body byte for
byte (a refund's id, created and updated are checked for their shape, then masked). Without --writes every probe
is a request the service must reject: nothing is created in the account.

  --target URL        the API's base URL (https://…; /refunds/ is sent relative to it)
  --token TOKEN       the API token; or PIRIOD_TOKEN in the environment (kept out of the process list).
                      Never printed or stored: shown as Token …abcd
  --workspace WS      the x-simple-workspace of the account
  --test-mode         send x-piriod-test-mode: true (the account's test data)
  --payment ID        an existing payment of the account: the field probes use it, the over-refund probe learns
                      its balance, and the emulator is given a payment with that id and balance
  --writes            also make at most three refunds of 0.01 on --payment and compare the 201 bodies, then an
                      over-refund of exactly the remaining balance plus 0.01. Needs --test-mode and --payment
  --record DIR        write the target's answers to DIR (one file per probe, parity.json; the token redacted)
  --replay DIR        compare the emulator with a recorded set: no target, no token
  --json              print one JSON document instead of the table
  --timeout-ms N      per request [default: 10000]
  --help              this text

Exit status: 0 every probe agrees, 1 some differ, 2 the target cannot be reached or refuses the token, or the
command line is wrong.
`

export interface ParityIO {
  stdout: { write: (text: string) => unknown }
  stderr: { write: (text: string) => unknown }
  env: NodeJS.ProcessEnv
}

/** An emulator for the run: started by the caller (process.ts), in memory, accepting `token`. */
export interface ParityEmulator { url: string, close: () => Promise<void> }
export type StartParityEmulator = (token: string) => Promise<ParityEmulator>

interface Options {
  target?: URL
  token: string
  workspace: string
  testMode: boolean
  payment: number | null
  writes: boolean
  record?: string
  replay?: Recording
  json: boolean
  timeoutMs: number
}

class UsageError extends Error {}
/** Ends the run with exit status 2 and one line saying why. */
class CannotAsk extends Error {}

/** The token a replay's emulator accepts: a recording holds none. */
const REPLAY_TOKEN = 'piriod-mock-parity-replay'

function options (args: string[], env: NodeJS.ProcessEnv): Options | 'help' {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      target: { type: 'string' },
      token: { type: 'string' },
      workspace: { type: 'string' },
      'test-mode': { type: 'boolean' },
      payment: { type: 'string' },
      writes: { type: 'boolean' },
      record: { type: 'string' },
      replay: { type: 'string' },
      json: { type: 'boolean' },
      'timeout-ms': { type: 'string' },
      help: { type: 'boolean' }
    }
  })
  if (values.help === true) return 'help'
  const timeout = values['timeout-ms'] ?? '10000'
  const timeoutMs = /^\d{1,6}$/.test(timeout) ? Number(timeout) : NaN
  if (!(timeoutMs >= 1 && timeoutMs <= 600000)) throw new UsageError(`--timeout-ms must be an integer from 1 to 600000, got "${timeout}"`)
  const json = values.json === true
  if (values.replay !== undefined) {
    const extra = (['target', 'token', 'workspace', 'test-mode', 'payment', 'writes', 'record'] as const).find(k => values[k] !== undefined)
    if (extra !== undefined) throw new UsageError(`--replay compares with a recorded set, which says what was sent: --${extra} does not go with it`)
    let replay: Recording
    try {
      replay = new Recording(values.replay)
    } catch (err) {
      throw new UsageError(`--replay ${values.replay}: ${(err as Error).message}`)
    }
    const m = replay.manifest
    return { token: REPLAY_TOKEN, workspace: m.workspace, testMode: m.test_mode, payment: m.payment, writes: m.writes, replay, json, timeoutMs }
  }
  const token = values.token ?? env.PIRIOD_TOKEN ?? ''
  if (values.target === undefined) throw new UsageError('--target is required (the API\'s base URL), or --replay DIR')
  if (token === '') throw new UsageError('--token is required (or PIRIOD_TOKEN in the environment)')
  if (/\s/.test(token)) throw new UsageError('--token contains whitespace, which no Authorization header can carry')
  if (values.workspace === undefined || values.workspace.trim() === '') throw new UsageError('--workspace is required (the account\'s x-simple-workspace)')
  let target: URL
  try {
    target = baseOf(values.target)
  } catch {
    throw new UsageError(`--target "${values.target}" is not a URL (http://… or https://…)`)
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new UsageError(`--target must be http:// or https://, got ${target.protocol}`)
  if (target.username !== '' || target.password !== '') throw new UsageError('--target holds credentials: give the token with --token')
  let payment: number | null = null
  if (values.payment !== undefined) {
    payment = /^[1-9]\d{0,15}$/.test(values.payment) ? Number(values.payment) : NaN
    if (!Number.isSafeInteger(payment)) throw new UsageError(`--payment must be a payment id (a positive integer up to 2^53 - 1), got "${values.payment}"`)
  }
  const writes = values.writes === true
  if (writes && values['test-mode'] !== true) throw new UsageError('--writes makes refunds: it needs --test-mode, so they are made in the account\'s test data')
  if (writes && payment === null) throw new UsageError('--writes makes refunds on --payment: name one')
  return {
    target,
    token,
    workspace: values.workspace,
    testMode: values['test-mode'] === true,
    payment,
    writes,
    ...(values.record === undefined ? {} : { record: values.record }),
    json,
    timeoutMs
  }
}

interface Outcome {
  probe: Probe
  target: Answer
  emulator: Answer
  differences: Difference[]
}

// ---------------------------------------------------------------- money as minor units (exact)
// (a balance is never negative)
const toMinor = (amount: string): bigint => {
  const [units = '0', cents = ''] = amount.split('.')
  return BigInt(units) * 100n + BigInt((cents + '00').slice(0, 2))
}
const formatMinor = (minor: bigint): string => `${minor / 100n}.${String(minor % 100n).padStart(2, '0')}`

/** The balance DRF's over-refund message names: `…remaining refundable balance of 12.34.` */
const BALANCE_IN_MESSAGE = /balance of (\d{1,15}(?:\.\d{1,2})?)\./
/** An answer's body as a JSON object; {} when it is none. */
function jsonOf (answer: Answer): Record<string, unknown> {
  try {
    return Object(JSON.parse(answer.body.toString('utf8'))) as Record<string, unknown>
  } catch {
    return {}
  }
}
/** A refund's `balance` in a 201 answer, as minor units; null when the answer has none. */
const balanceOf = ({ balance }: Record<string, unknown>): bigint | null => typeof balance === 'number' ? BigInt(Math.round(balance * 100)) : null

/** The emulator side: an HTTP client of the emulator started for the run, with its admin API for the payment. */
class EmulatorSide {
  readonly base: URL
  constructor (url: string, private readonly ctx: ProbeContext, private readonly timeoutMs: number) {
    this.base = baseOf(url)
  }

  answer (probe: Probe): Promise<Answer> {
    return send(this.base, probe, this.timeoutMs)
  }

  private async admin (path: string, body: unknown): Promise<Answer> {
    const headers = { 'content-type': 'application/json', 'x-simple-workspace': this.ctx.workspace, 'x-piriod-test-mode': String(this.ctx.testMode) }
    return await this.answer({ name: 'admin', about: '', method: 'POST', path, headers, body: Buffer.from(JSON.stringify(body)) })
  }

  /** The emulator's copy of --payment, with this balance and outcome (reset first: one payment, no refunds). */
  async givePayment (id: number, balance: bigint, outcome: 'succeeded' | 'failed'): Promise<void> {
    await this.admin('__admin/reset', {})
    // a payment's amount is at least 0.01: a balance of 0 is a payment of 0.01 refunded whole
    // (the reset leaves the id free: a refusal would show as a difference in every probe that names the payment)
    await this.admin('__admin/payments', { id, amount: formatMinor(balance > 0n ? balance : 1n), refund_outcome: outcome })
    if (balance <= 0n) {
      await this.answer(writeProbe({ ...this.ctx, payment: id }, 1))
    }
  }
}

export async function parityCommand (args: string[], io: ParityIO, startEmulator: StartParityEmulator, version: string): Promise<number> {
  let opts: Options | 'help'
  try {
    opts = options(args, io.env)
  } catch (err) { // a UsageError, or parseArgs's ERR_PARSE_ARGS_…
    io.stderr.write(`piriod-mock parity: ${(err as Error).message} (see piriod-mock parity --help)\n`)
    return 2
  }
  if (opts === 'help') {
    io.stdout.write(PARITY_USAGE)
    return 0
  }
  const o = opts
  const ctx: ProbeContext = { token: o.token, workspace: o.workspace, testMode: o.testMode, payment: o.payment }
  const shownToken = redactAuthorization(`Token ${o.token}`)
  // the token never leaves this process in what it prints or writes
  const scrub = (s: string): string => o.replay !== undefined || o.token.length < 4 ? s : s.split(o.token).join(shownToken.slice('Token '.length))
  const where = o.replay === undefined ? (o.target as URL).href : `the recording in ${o.replay.dir}`
  const notes: string[] = []
  const outcomes: Outcome[] = []
  const notRecorded: string[] = []
  let recorder: Recorder | undefined

  const emulatorProcess = await startEmulator(o.token)
  const emulator = new EmulatorSide(emulatorProcess.url, ctx, o.timeoutMs)
  const targetAnswer = async (probe: Probe): Promise<Answer | undefined> => {
    if (o.replay !== undefined) {
      let answer: Answer | undefined
      try {
        answer = o.replay.answer(probe.name)
      } catch (err) {
        throw new CannotAsk(`${where}: ${(err as Error).message}`)
      }
      if (answer === undefined) notRecorded.push(probe.name)
      return answer
    }
    try {
      return await send(o.target as URL, probe, o.timeoutMs)
    } catch (err) { // send() fails with Unreachable only
      throw new CannotAsk(`cannot reach ${where}: ${(err as Unreachable).message} (probe ${probe.name})`)
    }
  }

  /** One probe: the target, then (after `before`, which may set the emulator up from the target's answer) the emulator. */
  const probe = async (p: Probe, before?: (target: Answer) => Promise<void>): Promise<Answer | undefined> => {
    const target = await targetAnswer(p)
    if (target === undefined) return undefined
    recorder?.write(p, target, scrub)
    await before?.(target)
    const answer = await emulator.answer(p)
    outcomes.push({ probe: p, target, emulator: answer, differences: differences(target, answer) })
    return target
  }

  let code: number
  try {
    if (o.record !== undefined) recorder = new Recorder(o.record)
    // the payment's balance, as the target's answers say it (minor units)
    const state: { balance: bigint | null } = { balance: null }
    for (const p of safeProbes(ctx)) {
      const target = await probe(p, async target => {
        if (p.name !== 'over-refund' || o.payment === null) return
        const text = target.body.toString('utf8')
        const named = BALANCE_IN_MESSAGE.exec(text)
        if (target.status === 400 && text.includes('"payment"')) {
          notes.push(`payment ${o.payment} is not in the target's partition (workspace ${o.workspace}, test mode ${String(o.testMode)}): the emulator is given none`)
          return
        }
        state.balance = named === null ? null : toMinor(named[1] as string)
        if (state.balance === null) notes.push(`the over-refund answer names no balance: the emulator's payment ${o.payment} holds 100.00`)
        await emulator.givePayment(o.payment, state.balance ?? 10000n, 'succeeded')
      })
      if (target === undefined) continue
      if (p.name === 'empty-object' && (target.status === 401 || target.status === 403)) {
        throw new CannotAsk(`the target refuses the token (${shownToken}) for workspace ${o.workspace}: ${target.status} ${scrub(target.body.toString('utf8').slice(0, 200))}`)
      }
      if (target.status >= 200 && target.status <= 299 && p.method === 'POST') {
        throw new CannotAsk(`the target ACCEPTED probe ${p.name} (${target.status}), which it should have refused: it may have made a refund of ${UNCOVERABLE} or less; ` +
          'stopped here. Please report this probe (piriod-mock parity --help says what a probe is).')
      }
    }
    if (o.writes && o.payment !== null) {
      const wctx = { ...ctx, payment: o.payment }
      let balance = state.balance
      if (balance === null) {
        notes.push('--writes: no balance known for the payment, so no refund was made')
      } else {
        const count = balance >= 3n ? 3 : Number(balance > 0n ? balance : 0n)
        for (let i = 1; i <= count; i++) {
          const target = await probe(writeProbe(wctx, i), async target => {
            // a payment whose refunds fail: the emulator's copy fails them too
            if (i === 1 && jsonOf(target).status === 'failed') await emulator.givePayment(wctx.payment, state.balance as bigint, 'failed')
          })
          if (target === undefined) break
          const after = balanceOf(jsonOf(target))
          if (after === null) {
            notes.push(`--writes: refund ${i} answered ${target.status} with no balance: no further refunds`)
            break
          }
          balance = after
        }
        await probe(exactOverRefundProbe(wctx, formatMinor(balance + 1n)))
      }
    }
    recorder?.finish({
      recorded_with: `piriod-mock ${version}`,
      recorded_at: new Date().toISOString(),
      target: where,
      workspace: o.workspace,
      test_mode: o.testMode,
      payment: o.payment,
      writes: o.writes
    })
    code = report(io, o, outcomes, notRecorded, notes, where, shownToken, scrub)
  } catch (err) { // CannotAsk, or a recording that cannot be written: one line, never a stack trace
    if (o.json) io.stdout.write(`${JSON.stringify({ error: (err as Error).message, probes: outcomes.map(out => outcomeJson(out, scrub)) })}\n`)
    io.stderr.write(`piriod-mock parity: ${(err as Error).message}\n`)
    code = 2
  } finally {
    await emulatorProcess.close()
  }
  return code
}

const bodyText = (answer: Answer, scrub: (s: string) => string): string => scrub(answer.body.toString('utf8'))

function outcomeJson (out: Outcome, scrub: (s: string) => string): Record<string, unknown> {
  const answer = (a: Answer): Record<string, unknown> => JSON.parse(scrub(JSON.stringify(answerJson(a)))) as Record<string, unknown>
  return {
    name: out.probe.name,
    about: out.probe.about,
    agree: out.differences.length === 0,
    differences: out.differences.map(d => ({ what: d.what, target: scrub(d.target), emulator: scrub(d.emulator) })),
    request: shownRequest(out.probe),
    target: answer(out.target),
    emulator: answer(out.emulator)
  }
}

function report (io: ParityIO, o: Options, outcomes: Outcome[], notRecorded: string[], notes: string[], where: string, shownToken: string,
  scrub: (s: string) => string): number {
  const differ = outcomes.filter(out => out.differences.length > 0)
  const agree = outcomes.length - differ.length
  if (notRecorded.length > 0) notes.push(`not in the recording (made by an older battery?): ${notRecorded.join(', ')}`)
  if (o.json) {
    io.stdout.write(`${JSON.stringify({
      target: where,
      workspace: o.workspace,
      test_mode: o.testMode,
      payment: o.payment,
      writes: o.writes,
      probes: outcomes.map(out => outcomeJson(out, scrub)),
      agree,
      differ: differ.length,
      not_recorded: notRecorded,
      notes
    }, null, 2)}\n`)
    return differ.length === 0 ? 0 : 1
  }
  const lines: string[] = []
  const facts = [`workspace ${o.workspace}`, o.testMode ? 'test mode' : 'live mode', ...(o.payment === null ? [] : [`payment ${o.payment}`]),
    ...(o.writes ? ['with writes'] : []), ...(o.replay === undefined ? [`token ${shownToken}`] : [])]
  lines.push(`piriod-mock parity: ${where} (${facts.join(', ')}) against the emulator`, '')
  const width = Math.max(5, ...outcomes.map(out => out.probe.name.length))
  lines.push(`${'probe'.padEnd(width)}  target  emulator  agree`)
  for (const out of outcomes) {
    lines.push(`${out.probe.name.padEnd(width)}  ${String(out.target.status).padEnd(6)}  ${String(out.emulator.status).padEnd(8)}  ${out.differences.length === 0 ? 'yes' : 'NO'}`)
  }
  for (const out of differ) {
    const req = shownRequest(out.probe)
    lines.push('', `✗ ${out.probe.name}: ${out.probe.about}`, `  request: ${out.probe.method} ${out.probe.path} ${scrub(JSON.stringify(req.headers))}` +
      (typeof req.body === 'string' ? ` ${scrub(req.body).slice(0, 300)}` : ''))
    for (const d of out.differences) {
      if (d.what !== 'body') {
        lines.push(`  ${d.what}: target ${scrub(d.target)} | emulator ${scrub(d.emulator)}`)
        continue
      }
      const first = firstDifference(scrub(d.target), scrub(d.emulator))
      lines.push('  body:', `    target:   ${bodyText(out.target, scrub).slice(0, 2000)}`, `    emulator: ${bodyText(out.emulator, scrub).slice(0, 2000)}`,
        `    first difference at character ${first.at}:`, `      - target:   ${first.target}`, `      + emulator: ${first.emulator}`)
    }
  }
  for (const note of notes) lines.push('', `note: ${note}`)
  lines.push('', `${outcomes.length} probes: ${agree} agree, ${differ.length} differ`)
  io.stdout.write(`${lines.join('\n')}\n`)
  return differ.length === 0 ? 0 : 1
}
