// The benchmark, in its quick form, on the build npm test made: it runs to the end and every answer was the
// expected one (the soak lane: npm run test:soak).
import t from 'tap'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { run } from '../process.js'

const root = fileURLToPath(new URL('../../', import.meta.url))

// on the build npm test made: the benchmark, in its quick form, runs to the end and every answer was the expected one
t.test('npm run bench -- --quick measures every scenario', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'piriod-bench-smoke-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const out = join(dir, 'latest.json')
  const proc = run({}, [join(root, 'test/bench/bench.ts'), '--quick', '--out', out])
  const code = await proc.exited
  t.equal(code, 0, 'the benchmark exits 0', { stderr: proc.stderr() })
  const summary = JSON.parse(readFileSync(out, 'utf8')) as { rows: Array<{ scenario: string, target: string, rps: number, cpuUs: number, errors: number, unexpected: number }>, coldStartMs: { empty: number }, rssAfterThreeRoundsMb: number[], cpuBudget201: unknown }
  t.equal(summary.rows.length, 8, 'four scenarios, baseline and emulator')
  for (const row of summary.rows) {
    t.ok(row.rps > 0 && row.cpuUs > 0, `${row.scenario}, ${row.target}: ${row.rps} req/s, ${row.cpuUs} µs CPU/request`)
    t.equal(row.errors + row.unexpected, 0, `${row.scenario}, ${row.target}: no errors, only the expected status`)
  }
  t.ok(summary.coldStartMs.empty > 0)
  t.equal(summary.rssAfterThreeRoundsMb.length, 3)
  // the budget is judged on the worst 201 row; quick runs are too short to be held to it, only to report it
  const worst = Math.max(...summary.rows.filter(r => r.target !== 'baseline' && /^\([ab]\) 201/.test(r.scenario)).map(r => r.cpuUs))
  t.match(summary.cpuBudget201, { budgetUs: 50, worstUs: worst, holds: worst <= 50 })
  t.match(proc.logs.join('\n'), new RegExp(`CPU per 201 \\(budget ≤ 50 µs\\): worst row ${worst} µs — (holds|does NOT hold)$`, 'm'))
})
