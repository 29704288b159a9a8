// A damaged database file: refused at start-up with one clear line when SQLite sees it at once, answered 503
// (never a 500, never a stack trace) when the damage is only found later.
import t from 'tap'
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { openDatabase } from '../../src/db/connection.js'
import { migrate } from '../../src/db/migrate.js'
import { run, startServer } from '../process.js'

// removed with the test run (tap's fixture folder)
const dir = t.testdir()

/** A database with a payment and 2000 refunds, checkpointed into the file and closed. */
function makeDatabase (name: string): string {
  const path = join(dir, name)
  const db = openDatabase(path)
  migrate(db)
  db.prepare("INSERT INTO payments (workspace, test_mode, id, amount, refund_outcome, created_us) VALUES ('acc_1', 0, 7, 999999999, 'succeeded', 0)").run()
  const insert = db.prepare("INSERT INTO refunds (id, payment_pk, amount, balance, reason, receipt, status, metadata, created_us, updated_us) VALUES (?, 1, 1, 0, 'duplicate', 'R', 'succeeded', '{}', 0, 0)")
  db.transaction(() => { for (let i = 0; i < 2000; i++) insert.run(`ref_${i}`) })()
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.pragma('journal_mode = DELETE')
  db.close()
  return path
}

function overwrite (path: string, offset: number, length: number): void {
  const fd = openSync(path, 'r+')
  writeSync(fd, Buffer.alloc(length, 0xa5), 0, length, offset)
  closeSync(fd)
}

t.test('damage SQLite sees at once stops start-up with one line', async t => {
  const header = makeDatabase('header.sqlite')
  overwrite(header, 0, 100)
  const schema = makeDatabase('schema.sqlite')
  const pageSize = readFileSync(schema).readUInt16BE(16)
  overwrite(schema, 100, pageSize - 100)
  for (const path of [header, schema]) {
    const proc = run({ DATABASE_PATH: path })
    t.equal(await proc.exited, 1)
    t.match(proc.stderr(), new RegExp(`^piriod-mock: DATABASE_PATH ${path}: (not an SQLite database, or corrupt|.*malformed.*)\\n$`))
  }
})

t.test('damage found later is answered 503', async t => {
  const path = makeDatabase('pages.sqlite')
  // the refunds' pages sit after the schema; spoil some in the middle of the file
  const size = readFileSync(path).length
  overwrite(path, Math.floor(size / 2), 8192)
  const server = await startServer(t, { DATABASE_PATH: path, LOG_LEVEL: 'warn' })
  const res = await fetch(`${server.url}/__admin/payments/7`, { headers: { 'x-simple-workspace': 'acc_1' } })
  t.equal(res.status, 503)
  t.strictSame(await res.json(), { detail: 'The database file is corrupt; nothing was written.' })
  t.equal(await server.stop(), 0)
  const db = new Database(path, { readonly: true })
  t.not(db.pragma('quick_check', { simple: true }), 'ok', 'the file really is damaged')
  db.close()
})
