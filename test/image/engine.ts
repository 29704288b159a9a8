// The container engine npm run test:image drives: Docker when `docker info` answers, else podman (installed with apt
// on a Debian machine that has neither). On machines without systemd and with a hybrid cgroup layout (ours),
// podman needs runc with the cgroupfs manager, a file events log and ulimits no higher than the host's hard limits:
// all of it goes into a containers.conf of our own (CONTAINERS_CONF) and onto the command line, never into the image.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface Result { code: number, out: string, err: string }

export interface Engine {
  name: 'docker' | 'podman'
  /** runs the engine; a non-zero exit throws with its stderr unless `allowFailure` */
  run: (args: string[], opts?: { allowFailure?: boolean, input?: string }) => Promise<Result>
  /** flags every `run` and `build` needs on this machine */
  runFlags: string[]
  env: NodeJS.ProcessEnv
}

export async function exec (cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv, allowFailure?: boolean, input?: string, cwd?: string } = {}): Promise<Result> {
  const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c })
  child.stderr.setEncoding('utf8').on('data', (c: string) => { err += c })
  child.stdin.end(opts.input ?? '')
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', c => resolve(c ?? 1))
    // a grandchild can keep the pipes open after the child is gone (podman-compose leaves `podman start -a` of the
    // services still running): the output that came by then is enough
    child.on('exit', c => { setTimeout(() => resolve(c ?? 1), 2000).unref() })
  })
  child.stdout.destroy()
  child.stderr.destroy()
  if (code !== 0 && opts.allowFailure !== true) throw new Error(`${cmd} ${args.join(' ')}: exit ${code}\n${err.slice(-4000)}`)
  return { code, out, err }
}

const answers = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0

/** The host's hard limit for `ulimit -H<flag>`, capped (a container needs no more; "unlimited" cannot be set). */
function hardLimit (flag: string, cap: number): number {
  const value = spawnSync('sh', ['-c', `ulimit -H${flag}`], { encoding: 'utf8' }).stdout.trim()
  const n = Number(value)
  return Number.isInteger(n) && n > 0 ? Math.min(n, cap) : cap
}

// netavark and aardvark-dns: container DNS, by which the compose example's app reaches the emulator as `piriod`
const PODMAN_PACKAGES = ['podman', 'buildah', 'fuse-overlayfs', 'uidmap', 'slirp4netns', 'runc', 'containernetworking-plugins', 'netavark', 'aardvark-dns']

const anyExists = (paths: readonly string[]): boolean => paths.some(p => existsSync(p))

/**
 * What podman needs here and this machine lacks, each with how to install it: a runtime it can use (runc: crun,
 * its default, fails under a hybrid cgroup layout), and container DNS for compose (aardvark-dns with netavark, or
 * the dnsname plugin with CNI) — without it the compose example's app only says "the emulator did not start".
 */
export function podmanProblems (backend: string, machine = { runs: (cmd: string) => answers(cmd, ['--version']), exists: anyExists }): string[] {
  const { runs, exists } = machine
  const problems: string[] = []
  if (!runs('runc')) {
    problems.push('no runc: podman\'s default runtime (crun) cannot run containers under this machine\'s cgroups — apt-get install runc')
  }
  if (backend === 'netavark' && !exists(['/usr/lib/podman/aardvark-dns', '/usr/libexec/podman/aardvark-dns'])) {
    problems.push('no container DNS: podman uses netavark without aardvark-dns, so compose services cannot reach each other by name — apt-get install aardvark-dns')
  }
  if (backend === 'cni' && !exists(['/usr/lib/cni/dnsname', '/opt/cni/bin/dnsname'])) {
    problems.push('no container DNS: podman uses CNI without the dnsname plugin, so compose services cannot reach each other by name — ' +
      'apt-get install golang-github-containernetworking-plugin-dnsname (or netavark and aardvark-dns)')
  }
  return problems
}

export async function findEngine (cacheDir: string): Promise<Engine> {
  if (answers('docker', ['info'])) {
    return { name: 'docker', runFlags: [], env: process.env, run: async (args, opts) => exec('docker', args, opts) }
  }
  if (!answers('podman', ['--version'])) {
    if (!answers('apt-get', ['--version'])) throw new Error('neither a running Docker engine nor podman, and no apt-get to install podman')
    console.log('# installing podman with apt-get')
    const [cmd, ...pre] = process.getuid?.() === 0 ? ['apt-get'] : ['sudo', 'apt-get']
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    await exec(cmd as string, [...pre, 'update', '-qq'], { env })
    await exec(cmd as string, [...pre, 'install', '-y', '-qq', ...PODMAN_PACKAGES], { env })
  }
  const nofile = hardLimit('n', 65536)
  const nproc = hardLimit('u', 32768)
  mkdirSync(cacheDir, { recursive: true })
  const conf = join(cacheDir, 'containers.conf')
  writeFileSync(conf, [
    '# written by npm run test:image for this machine: no systemd, a hybrid cgroup layout, limited rlimits',
    '[containers]',
    `default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]`,
    '[engine]',
    'runtime = "runc"',
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    ''
  ].join('\n'))
  const env = { ...process.env, CONTAINERS_CONF: conf }
  // what podman needs, checked before anything is built
  const backend = (await exec('podman', ['info', '--format', '{{.Host.NetworkBackend}}'], { env, allowFailure: true })).out.trim()
  const problems = podmanProblems(backend)
  if (problems.length > 0) throw new Error(`podman cannot run the image checks on this machine:\n- ${problems.join('\n- ')}`)
  return {
    name: 'podman',
    runFlags: ['--ulimit', `nofile=${nofile}:${nofile}`, '--ulimit', `nproc=${nproc}:${nproc}`],
    env,
    run: async (args, opts) => exec('podman', args, { ...opts, env })
  }
}
