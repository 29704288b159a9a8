import t from 'tap'
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openDatabase } from '../../src/db/connection.js'
import { migrate } from '../../src/db/migrate.js'
import { CHECKPOINT_INTERVAL_MS, SERVING_AUTOCHECKPOINT_PAGES, startCheckpointer } from '../../src/db/checkpointer.js'

// removed with the test run (tap's fixture folder)
const dir = t.testdir()
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

t.test('a worker copies the WAL into the database file while the serving connection only appends', async t => {
  const path = join(dir, 'ok.sqlite')
  const db = openDatabase(path)
  migrate(db)
  db.pragma('wal_checkpoint(TRUNCATE)')
  const errors: string[] = []
  const checkpointer = await startCheckpointer(db, { intervalMs: 20, onError: m => errors.push(m) })
  t.equal(db.pragma('wal_autocheckpoint', { simple: true }), SERVING_AUTOCHECKPOINT_PAGES, 'the serving connection checkpoints only rarely')
  const before = statSync(path).size
  const insert = db.prepare("INSERT INTO payments (workspace, test_mode, id, amount, refund_outcome, created_us) VALUES ('w', 0, ?, 100, 'succeeded', 0)")
  db.transaction(() => { for (let i = 1; i <= 20_000; i++) insert.run(i) })()
  await sleep(200)
  t.ok(statSync(path).size > before + 100_000, 'the pages reached the database file')
  const ckpt = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number, checkpointed: number }>
  t.equal(ckpt[0]?.checkpointed, ckpt[0]?.log, 'nothing was left to checkpoint')
  await checkpointer.stop()
  db.close()
  t.strictSame(errors, [])
  t.ok(CHECKPOINT_INTERVAL_MS <= 1000)
})

t.test('when the worker cannot open the database, the serving connection checkpoints again', async t => {
  const folder = join(dir, 'gone')
  mkdirSync(folder)
  const db = openDatabase(join(folder, 'db.sqlite'))
  migrate(db)
  // the serving connection keeps its open file; the worker finds a file where the folder was
  rmSync(folder, { recursive: true })
  writeFileSync(folder, 'not a folder')
  const errors: string[] = []
  const checkpointer = await startCheckpointer(db, { onError: m => errors.push(m) })
  t.equal(errors.length, 1)
  t.match(errors[0], /^checkpoint worker failed \(unable to open database file \(SQLITE_CANTOPEN\)\); checkpoints run in the serving connection again$/)
  t.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000)
  await checkpointer.stop()
  db.close()
})
