import t from 'tap'
import { writeFileSync, mkdirSync, copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { openDatabase, MEMORY } from '../../src/db/connection.js'
import { listMigrations, migrate, MIGRATIONS_DIR, SchemaError } from '../../src/db/migrate.js'

t.test('empty → latest, and a rerun is a no-op', async t => {
  const db = openDatabase(MEMORY)
  t.teardown(() => db.close())
  const latest = listMigrations().length
  t.strictSame(migrate(db), { from: 0, to: latest })
  t.strictSame(migrate(db), { from: latest, to: latest })
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all()
  t.strictSame(tables, ['payment_id_sequence', 'payments', 'refund_id_sequence', 'refunds'])
})

t.test('a database newer than the code is refused', async t => {
  const db = openDatabase(MEMORY)
  t.teardown(() => db.close())
  db.pragma('user_version = 99')
  t.throws(() => migrate(db), new SchemaError(`the database is at schema version 99, newer than this piriod-mock knows (${listMigrations().length}); use a newer piriod-mock or another DATABASE_PATH`))
})

t.test('migration files must be numbered contiguously', async t => {
  const root = t.testdir({ skip: {}, other: {} })
  const dir = join(root, 'skip')
  copyFileSync(join(MIGRATIONS_DIR, '001_init.sql'), join(dir, '001_init.sql'))
  writeFileSync(join(dir, '003_skip.sql'), 'SELECT 1;')
  t.throws(() => listMigrations(dir), new SchemaError('migration 003_skip.sql is out of sequence: expected 002_<name>.sql'))
  const other = join(root, 'other')
  writeFileSync(join(other, '001_Bad Name.sql'), 'SELECT 1;')
  t.throws(() => listMigrations(other), SchemaError)
})

t.test('each migration and its version are applied together', async t => {
  const dir = t.testdir()
  copyFileSync(join(MIGRATIONS_DIR, '001_init.sql'), join(dir, '001_init.sql'))
  writeFileSync(join(dir, '002_broken.sql'), 'CREATE TABLE x (a INTEGER); SELECT * FROM nowhere;')
  const db = openDatabase(MEMORY)
  t.teardown(() => db.close())
  t.throws(() => migrate(db, dir), /no such table: nowhere/)
  t.equal(db.pragma('user_version', { simple: true }), 1)
  t.equal(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'x'").pluck().get(), 0, 'the failed migration left nothing')
})

t.test('file databases: folder created, WAL, busy timeout, foreign keys', async t => {
  const dir = t.testdir()
  const path = join(dir, 'nested', 'deeper', 'db.sqlite')
  const db = openDatabase(path)
  t.teardown(() => db.close())
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal')
  t.equal(db.pragma('synchronous', { simple: true }), 1, 'NORMAL')
  t.equal(db.pragma('busy_timeout', { simple: true }), 5000)
  t.equal(db.pragma('foreign_keys', { simple: true }), 1)
  const mem = openDatabase(MEMORY)
  t.equal(mem.pragma('journal_mode', { simple: true }), 'memory')
  mem.close()
})

t.test('a file that is not a database is refused when opened', async t => {
  const dir = t.testdir()
  const path = join(dir, 'not.sqlite')
  writeFileSync(path, 'this is not an SQLite file, just text that is long enough to have a header '.repeat(20))
  t.throws(() => openDatabase(path), { code: 'SQLITE_NOTADB' })
  mkdirSync(join(dir, 'adir'))
  t.throws(() => openDatabase(join(dir, 'adir')))
})

t.test('the schema itself refuses an over-refund', async t => {
  const db = openDatabase(MEMORY)
  t.teardown(() => db.close())
  migrate(db)
  db.prepare("INSERT INTO payments (workspace, test_mode, id, amount, refund_outcome, created_us) VALUES ('a', 0, 1, 100, 'succeeded', 0)").run()
  const insert = db.prepare("INSERT INTO refunds (id, payment_pk, amount, balance, reason, receipt, status, metadata, created_us, updated_us) VALUES (?, 1, ?, 0, 'duplicate', 'R', 'succeeded', '{}', 0, 0)")
  insert.run('ref_a', 60)
  t.throws(() => insert.run('ref_b', 41), { code: 'SQLITE_CONSTRAINT_CHECK' })
  t.equal(db.prepare('SELECT refunded FROM payments').pluck().get(), 60, 'the failed statement changed nothing')
  t.equal(db.prepare('SELECT count(*) FROM refunds').pluck().get(), 1)
  t.equal(db.prepare('SELECT last_id FROM payment_id_sequence').pluck().get(), 1)
})
