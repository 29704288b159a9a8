// npm run build's second step: the three entry points (server, CLI, library) bundled into one ESM file each, so
// the package and the image start from one file instead of resolving dozens of modules (cold start ~500 ms →
// under 300 ms; docs/performance.md). better-sqlite3 stays outside: it loads a native binary; so does pino-pretty,
// loaded only when logs go to a terminal.
//
// The banner gives each bundle a `require`: the bundled CommonJS dependencies (fastify's, pino's) call
// require('node:…') at run time, which an ES module does not have; esbuild then fails with "Dynamic require of
// … is not supported".
import { cpSync } from 'node:fs'
import { build } from 'esbuild'

await build({
  entryPoints: ['src/server.ts', 'src/cli.ts', 'src/index.ts'],
  outdir: 'dist',
  bundle: true,
  minify: true,
  keepNames: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'pino-pretty'],
  logLevel: 'warning',
  banner: { js: "import{createRequire as __piriodRequire}from'node:module';const require=__piriodRequire(import.meta.url);" }
})

// the dashboard's static files, served from beside the bundle (src/routes/dashboard.ts)
cpSync('src/dashboard', 'dist/dashboard', { recursive: true })
