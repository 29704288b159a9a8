// Where the package's own files are, from the sources (src/…), the compiled package (dist/…) or the bundle
// (dist/server.js) alike: the nearest folder above this module that holds a package.json. And the one way a folder
// for a file of ours is made.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, parse, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

export function packageRoot (from = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from)
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`no package.json above ${from}`)
    dir = parent
  }
  return dir
}

/** The version in package.json. */
export const PACKAGE_VERSION = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version

/**
 * Makes the folder a file of ours goes in (a database, JOURNAL_FILE), one level at a time, saying which part of the path is in the way. Not
 * Node's recursive mkdir: it answers a path through a file with "EEXIST" on the file's folder, and spins at full CPU
 * forever under /proc (Node 20). Kernel file systems (/proc, /sys) hold no databases.
 */
export function makeFolder (dir: string): void {
  if (/^\/(?:proc|sys)(?:\/|$)/.test(dir)) throw Object.assign(new Error(`${dir} is in a kernel file system, which holds no files of ours`), { code: 'EINVAL' })
  let at = parse(dir).root
  for (const part of dir.slice(at.length).split(sep).filter(p => p !== '')) {
    at = join(at, part)
    let stat
    try {
      stat = statSync(at)
    } catch {
      try {
        mkdirSync(at)
        continue
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code as string
        throw Object.assign(new Error(`cannot create the folder ${at} (${code})`), { code })
      }
    }
    if (!stat.isDirectory()) throw Object.assign(new Error(`${at} is a file, not a folder`), { code: 'ENOTDIR' })
  }
}
