// npm run build: the three entry points (server, CLI, library) bundled into one ESM file each, the dashboard's
// files beside them, and the library's types as one self-contained declaration file.
//
//   node scripts/build.mjs             everything (npm run build, npm test's pretest, prepare on install and pack)
//   node scripts/build.mjs --js        the bundles only (npm start: no declaration file needed to run)
//   --if-stale                         only when a source is newer than what dist/ holds (npm start: ~0.1 s)
//   --prepare                          as npm's prepare script: nothing to do where there are no sources yet
//                                      (the image's dependency layer installs before it copies them)
//
// One bundle per entry point: the package and the image start from one file instead of resolving dozens of
// modules (cold start ~500 ms → under 300 ms; docs/performance.md). Only better-sqlite3 stays outside — it loads a
// native binary — and it is the package's only dependency: everything else is in the bundles (pino-pretty too,
// imported only when logs go to a terminal), so `npm install piriod-mock` downloads nothing it does not run.
//
// The declaration file is made by dts-bundle-generator with TypeBox's types inlined and checked with
// skipLibCheck off: a consumer's `tsc` needs nothing but the package (no @sinclair/typebox, no @types/better-sqlite3).
//
// The banner gives each bundle a `require`: the bundled CommonJS dependencies (fastify's, pino's) call
// require('node:…') at run time, which an ES module does not have; esbuild then fails with "Dynamic require of
// … is not supported".
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const args = new Set(process.argv.slice(2))
const jsOnly = args.has('--js')

if (args.has('--prepare') && !existsSync('src')) process.exit(0)

/** The newest modification time under a path. */
function newest (path) {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(stat.mtimeMs, ...readdirSync(path).map(name => newest(join(path, name))))
}

const outputs = ['dist/server.js', 'dist/cli.js', 'dist/index.js', 'dist/dashboard/index.html', ...(jsOnly ? [] : ['dist/index.d.ts'])]
if (args.has('--if-stale') && outputs.every(f => existsSync(f))) {
  const built = Math.min(...outputs.map(f => statSync(f).mtimeMs))
  if (newest('src') <= built && newest('package.json') <= built && newest('scripts/build.mjs') <= built) process.exit(0)
}

// a whole build starts from an empty dist/ (nothing of an earlier layout is left to ship)
if (!jsOnly) rmSync('dist', { recursive: true, force: true })

const { build } = await import('esbuild')
await build({
  entryPoints: ['src/server.ts', 'src/cli.ts', 'src/index.ts'],
  outdir: 'dist',
  bundle: true,
  minify: true,
  keepNames: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3'],
  logLevel: 'warning',
  banner: { js: "import{createRequire as __piriodRequire}from'node:module';const require=__piriodRequire(import.meta.url);" }
})

// the dashboard's static files, served from beside the bundle (src/routes/dashboard.ts)
cpSync('src/dashboard', 'dist/dashboard', { recursive: true })

if (!jsOnly) {
  const { generateDtsBundle } = await import('dts-bundle-generator')
  const [types] = generateDtsBundle([{
    filePath: 'src/index.ts',
    libraries: { inlinedLibraries: ['@sinclair/typebox'] },
    output: { noBanner: true, exportReferencedTypes: false }
  }], { preferredConfigPath: 'tsconfig.json' })
  mkdirSync('dist', { recursive: true })
  writeFileSync('dist/index.d.ts', `// The types of piriod-mock's programmatic API (src/index.ts), one self-contained file.\n${types}`)
}
