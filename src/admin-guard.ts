// Who may call the admin API and load the dashboard from a browser. The admin API needs no token by default, and
// it runs on developers' laptops beside their browser, so every web page they visit is a possible caller:
// - DNS rebinding: a page on a domain that re-resolves to 127.0.0.1 reads the journal with the page's own origin.
//   The Host header tells: the admin API answers only Hosts that cannot be a rebinding domain (IP literals,
//   `localhost` and `*.localhost`, single-label names such as a compose service) and those in ALLOWED_HOSTS — as
//   Vite's `server.allowedHosts` (CVE-2025-24010), webpack-dev-server and Jupyter do. With ADMIN_TOKEN set the token
//   is the guard, and any Host is accepted.
// - Cross-site requests: a "simple" POST (text/plain, or no Content-Type) needs no preflight, so any page can reset
//   the data. An admin request that carries an Origin other than the server's own, or Sec-Fetch-Site: cross-site, is
//   refused before anything runs; requests without Origin (test code, curl, other containers) go through. No CORS
//   headers are ever sent. The one exception: a person following a link to the dashboard from another site (a
//   top-level GET navigation), which reads nothing and changes nothing.
// The emulated API answers any Host and any Origin, as the real service does.
import { isIP } from 'node:net'
import type { FastifyReply } from 'fastify'
import type { AllowedHosts } from './config.js'
import { detail, sendError } from './errors.js'

export interface AdminGuardOptions {
  /** ALLOWED_HOSTS, parsed (parseAllowedHosts) */
  allowedHosts: AllowedHosts
  /** whether ADMIN_TOKEN is set (then any Host is accepted) */
  adminToken: boolean
}

/**
 * The host name of a Host header, lower-cased, without its port, brackets or one trailing dot; null when the
 * header is not a host (an IPv6 literal without brackets, a port that is not a number).
 */
export function hostName (header: string): string | null {
  const value = header.trim().toLowerCase()
  let name: string
  let rest: string
  if (value.startsWith('[')) {
    const close = value.indexOf(']')
    if (close < 0) return null
    name = value.slice(1, close)
    rest = value.slice(close + 1)
    if (isIP(name) !== 6) return null
  } else {
    const colon = value.indexOf(':')
    name = colon < 0 ? value : value.slice(0, colon)
    rest = colon < 0 ? '' : value.slice(colon)
  }
  if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return null
  return name.endsWith('.') ? name.slice(0, -1) : name
}

/** Whether a host name cannot be a rebinding domain: an IP literal, localhost or *.localhost, or a single label. */
function safeByDefault (name: string): boolean {
  if (isIP(name) !== 0) return true
  if (name === 'localhost' || name.endsWith('.localhost')) return true
  return name !== '' && !name.includes('.')
}

export function hostAllowed (header: string | undefined, allowed: AllowedHosts): boolean {
  // HTTP/1.0 without a Host: no browser sends such a request
  if (header === undefined) return true
  if (allowed === 'any') return true
  const name = hostName(header)
  if (name === null) return false
  return safeByDefault(name) || allowed.names.has(name) || allowed.suffixes.some(s => name.endsWith(s) || name === s.slice(1))
}

/** Whether an Origin header names the server the request was sent to (its Host). */
function sameOrigin (origin: string, host: string | undefined): boolean {
  if (host === undefined) return false
  try {
    return new URL(origin).host === new URL(`http://${host}`).host
  } catch {
    // `null` (a sandboxed frame, a file: page) and anything else that is not an origin
    return false
  }
}

/** Why a request may not reach the admin API, as the 403's detail, or null when it may. */
export function adminRefusal (
  request: { method: string, headers: Record<string, string | string[] | undefined> },
  opts: AdminGuardOptions & { navigation: boolean }
): string | null {
  const host = request.headers.host as string | undefined
  const origin = request.headers.origin as string | undefined
  const site = request.headers['sec-fetch-site'] as string | undefined
  const navigating = opts.navigation && (request.method === 'GET' || request.method === 'HEAD') && request.headers['sec-fetch-mode'] === 'navigate'
  if (!navigating && ((origin !== undefined && !sameOrigin(origin, host)) || site === 'cross-site')) {
    return `Cross-site request refused: the admin API answers only its own pages and callers that send no Origin (this one came from ${
      JSON.stringify(cut(origin ?? 'another site'))}). piriod-mock sends no CORS headers.`
  }
  if (!opts.adminToken && !hostAllowed(host, opts.allowedHosts)) {
    // (a request without Host is allowed: hostAllowed)
    return `Host ${JSON.stringify(cut(host as string))} is not allowed for the admin API and the dashboard (a guard against DNS rebinding): ` +
      'add it to ALLOWED_HOSTS (a comma-separated list; * allows any), or set ADMIN_TOKEN.'
  }
  return null
}

// a header echoed in an answer is cut to a readable length
const cut = (value: string): string => value.length > 200 ? `${value.slice(0, 200)}…` : value

/** The dashboard's headers: a strict policy (no inline script or style, nothing from elsewhere, never framed). */
const DASHBOARD_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer'
}

/** On every admin answer: no content sniffing, and no reading it from another origin's page (`<script src>`). */
const ADMIN_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'cross-origin-resource-policy': 'same-origin'
}

interface Guarded {
  method: string
  headers: Record<string, string | string[] | undefined>
}

/**
 * The onRequest hook of the admin routes (`dashboard`: of the dashboard's files): their headers, then the 403 for
 * a request the guard refuses, before anything else runs.
 */
export function adminGuard (opts: AdminGuardOptions, dashboard = false) {
  const headers = dashboard ? { ...ADMIN_HEADERS, ...DASHBOARD_HEADERS } : ADMIN_HEADERS
  const options = { ...opts, navigation: dashboard }
  return function guard (request: Guarded, reply: FastifyReply, done: () => void): void {
    reply.headers(headers)
    const refused = adminRefusal(request, options)
    if (refused === null) return done()
    sendError(reply, detail(403, refused))
  }
}
