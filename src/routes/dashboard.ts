// GET /__admin/ — the dashboard: static HTML, CSS and an ES module (src/dashboard/), which read the documented
// admin API from the browser. The files hold no data, so they are served without ADMIN_TOKEN; the page asks
// for the token when the API answers 401.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyPluginAsync } from 'fastify'
import { adminGuard, type AdminGuardOptions } from '../admin-guard.js'

const here = dirname(fileURLToPath(import.meta.url))
// the bundle (dist/server.js) has dist/dashboard beside it; the sources (src/routes/) have src/dashboard above
const DASHBOARD_DIR = [join(here, 'dashboard'), join(here, '..', 'dashboard')].find(dir => existsSync(dir)) as string

const dashboardRoutes: FastifyPluginAsync<{ guard: AdminGuardOptions }> = async (app, opts) => {
  // its headers (a strict Content-Security-Policy among them), and the Host and cross-site checks of the admin API
  app.addHook('onRequest', adminGuard(opts.guard, true))
  await app.register(fastifyStatic, { root: DASHBOARD_DIR, prefix: '/__admin/', wildcard: false, index: 'index.html', cacheControl: false })
}

export default dashboardRoutes
