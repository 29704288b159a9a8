// Forward-only migrations: migrations/NNN_name.sql, applied in order, tracked by PRAGMA user_version.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { packageRoot } from '../paths.js'
import type { DB } from './connection.js'

export const MIGRATIONS_DIR = join(packageRoot(), 'migrations')

const FILE_NAME = /^(\d{3})_[a-z0-9_]+\.sql$/

export class SchemaError extends Error {
  override name = 'SchemaError'
}

export function listMigrations (dir = MIGRATIONS_DIR): Array<{ version: number, file: string }> {
  const files = readdirSync(dir).filter(f => f.endsWith('.sql')).sort()
  return files.map((file, i) => {
    const m = FILE_NAME.exec(file)
    if (m === null || Number(m[1]) !== i + 1) {
      throw new SchemaError(`migration ${file} is out of sequence: expected ${String(i + 1).padStart(3, '0')}_<name>.sql`)
    }
    return { version: i + 1, file }
  })
}

/** Brings the schema to the latest version; returns the versions before and after. */
export function migrate (db: DB, dir = MIGRATIONS_DIR): { from: number, to: number } {
  const migrations = listMigrations(dir)
  const latest = migrations.length
  const version = (): number => db.pragma('user_version', { simple: true }) as number
  const from = version()
  if (from > latest) {
    throw new SchemaError(`the database is at schema version ${from}, newer than this piriod-mock knows ` +
      `(${latest}); use a newer piriod-mock or another DATABASE_PATH`)
  }
  for (const { version: target, file } of migrations) {
    // IMMEDIATE, and the version read inside: two processes starting on one new file apply each migration once.
    db.transaction(() => {
      if (version() >= target) return
      db.exec(readFileSync(join(dir, file), 'utf8'))
      db.pragma(`user_version = ${target}`)
    }).immediate()
  }
  return { from, to: version() }
}
