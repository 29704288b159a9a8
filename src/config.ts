// The environment, validated at start. The only module that reads process.env: the entry points get it from
// environment() and pass it on.
import { Type, type Static } from '@sinclair/typebox'
import { isIP } from 'node:net'
import { parseInstant } from './clock.js'
import { StartError } from './start-error.js'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
const LOG_FORMATS = ['auto', 'json', 'pretty'] as const
export type LogFormat = typeof LOG_FORMATS[number]
export type LogLevel = typeof LOG_LEVELS[number]

export const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'TCP port (0 = any free port)' }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1', description: 'bind address (the container sets 0.0.0.0)' }),
  DATABASE_PATH: Type.String({
    minLength: 1,
    default: './data/piriod-mock.sqlite',
    description: 'SQLite file (its folder is created); :memory: for a throwaway database'
  }),
  API_TOKENS: Type.String({
    default: '',
    description: 'accepted tokens, comma-separated, each optionally bound to workspaces (tok_a=acc_1|acc_2,tok_b); ' +
      'empty = any well-formed token is accepted'
  }),
  ALLOW_LIVE_TOKENS: Type.Boolean({ default: false, description: 'accept tokens that look live (sk_live_…)' }),
  ADMIN_TOKEN: Type.String({ default: '', description: 'when set, every /__admin call needs `Authorization: Token <ADMIN_TOKEN>` but health, ready, openapi.json and the dashboard\'s files' }),
  ALLOWED_HOSTS: Type.String({
    default: '',
    description: 'Host names the admin API and the dashboard answer besides IP literals, localhost, *.localhost and single-label ' +
      'names (a guard against DNS rebinding): comma-separated, .example.com for a domain and its subdomains, * for any; ' +
      'with ADMIN_TOKEN set any Host is accepted'
  }),
  MAX_DB_BYTES: Type.Integer({
    minimum: 1024 * 1024,
    maximum: 1024 ** 4,
    default: 1024 ** 3,
    description: 'the most the database may hold, in bytes (SQLite max_page_count); a write past it is answered 503, and ' +
      'POST /__admin/reset makes room again'
  }),
  SNAPSHOT_MAX_BYTES: Type.Integer({
    minimum: 1024 * 1024,
    maximum: 1024 ** 3,
    default: 256 * 1024 * 1024,
    description: 'the largest snapshot POST /__admin/snapshot restores, in bytes (every other request body: 1 MiB); ' +
      'a restore holds about six times the document in memory while it runs'
  }),
  SEED_FILE: Type.String({ default: '', description: 'JSON file of payments (and refunds) loaded at start' }),
  JOURNAL_SIZE: Type.Integer({ minimum: 0, maximum: 100_000, default: 1000, description: 'requests kept in the journal (0 = off)' }),
  JOURNAL_MAX_BYTES: Type.Integer({
    minimum: 1024 * 1024,
    maximum: 1024 * 1024 * 1024,
    default: 16 * 1024 * 1024,
    description: 'memory the journal may use, in bytes; the oldest entries go first to stay under it'
  }),
  JOURNAL_FILE: Type.String({
    default: '',
    description: 'also append every journal entry to this file as a JSON line, before its answer is sent ' +
      '(kept after the process is gone; `piriod-mock har` makes it HAR)'
  }),
  JOURNAL_FILE_MAX_BYTES: Type.Integer({
    minimum: 1024 * 1024,
    maximum: 1024 ** 4,
    default: 64 * 1024 * 1024,
    description: 'the most JOURNAL_FILE may hold, in bytes: a line that would take it past this first moves it to <file>.1 ' +
      '(replacing the one there), so at most twice this is kept'
  }),
  DUPLICATE_WINDOW_MS: Type.Integer({
    minimum: 0,
    maximum: 86_400_000,
    default: 10_000,
    description: 'two equal refunds of one payment this close together are flagged as possible duplicates'
  }),
  CLOCK: Type.String({
    default: '',
    description: 'empty = the system clock; an ISO-8601 instant (2026-01-01T00:00:00Z) = a fixed clock that starts there ' +
      'and moves only when told to (POST /__admin/clock), for byte-identical runs'
  }),
  LATENCY_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 0, description: 'delay added to every answer of the emulated API' }),
  LOG_LEVEL: Type.Union(LOG_LEVELS.map(l => Type.Literal(l)), { default: 'info', description: 'pino log level' }),
  LOG_FORMAT: Type.Union(LOG_FORMATS.map(f => Type.Literal(f)), {
    default: 'auto',
    description: 'auto = one readable line per event when stdout is a terminal, JSON lines otherwise; json; pretty'
  })
})

export type ConfigValues = Static<typeof ConfigSchema>
export type ConfigKey = keyof ConfigValues

/** Accepted tokens: each either good for every workspace (null) or bound to some. Empty = any token. */
type TokenRules = ReadonlyMap<string, ReadonlySet<string> | null>

export type Config = ConfigValues & {
  /** API_TOKENS, parsed */
  tokens: TokenRules
  /** ALLOWED_HOSTS, parsed */
  allowedHosts: AllowedHosts
}

interface PropertySchema { type?: string, minimum: number, maximum: number, anyOf?: Array<{ const: string }> }

const BOOLEAN = new Map([['true', true], ['1', true], ['yes', true], ['false', false], ['0', false], ['no', false]])

function readValue (key: ConfigKey, raw: string): unknown {
  const schema = ConfigSchema.properties[key] as PropertySchema
  if (schema.type === 'integer') {
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN
    if (!(n >= schema.minimum && n <= schema.maximum)) {
      throw new StartError(`${key} must be an integer from ${schema.minimum} to ${schema.maximum}, got "${raw}"`)
    }
    return n
  }
  if (schema.type === 'boolean') {
    const value = BOOLEAN.get(raw.toLowerCase())
    if (value === undefined) throw new StartError(`${key} must be true or false, got "${raw}"`)
    return value
  }
  if (schema.anyOf !== undefined) {
    const allowed = schema.anyOf.map(s => s.const)
    if (!allowed.includes(raw)) throw new StartError(`${key} must be one of ${allowed.join(', ')}, got "${raw}"`)
  }
  return raw
}

// Messages name the entry by its position, never the token.
export function parseTokens (raw: string): Map<string, Set<string> | null> {
  const tokens = new Map<string, Set<string> | null>()
  for (const [i, entry] of raw.split(',').entries()) {
    if (entry.trim() === '') continue
    const eq = entry.indexOf('=')
    const token = (eq < 0 ? entry : entry.slice(0, eq)).trim()
    const where = `API_TOKENS entry ${i + 1}`
    if (token === '') throw new StartError(`${where} has no token before "="`)
    if (/\s/.test(token)) throw new StartError(`${where} contains whitespace, which no Authorization header can carry`)
    if (eq < 0) {
      tokens.set(token, null)
      continue
    }
    const workspaces = entry.slice(eq + 1).split('|').map(w => w.trim())
    if (workspaces.some(w => w === '')) throw new StartError(`${where}: workspaces are separated by "|" and may not be empty`)
    tokens.set(token, new Set(workspaces))
  }
  // `,,` or ` , `: a list meant to restrict the tokens that holds none would accept every token
  if (tokens.size === 0 && raw.trim() !== '') throw new StartError(`API_TOKENS holds no token ("${raw}"): leave it empty to accept any token, or list them`)
  return tokens
}

/** ALLOWED_HOSTS: `any` for `*`, else exact names and `.domain` suffixes (a domain and its subdomains). */
export type AllowedHosts = 'any' | { names: ReadonlySet<string>, suffixes: readonly string[] }

const HOST_NAME = /^\.?[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?$/

const unbracket = (name: string): string => name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name

/** ALLOWED_HOSTS: comma-separated host names (no scheme, no port), `.example.com` for a domain and its subdomains, `*` for any. */
export function parseAllowedHosts (raw: string): AllowedHosts {
  const names = new Set<string>()
  const suffixes: string[] = []
  for (const [i, entry] of raw.split(',').entries()) {
    const name = entry.trim().toLowerCase()
    if (name === '') continue
    if (name === '*') return 'any'
    if (!HOST_NAME.test(name) && isIP(unbracket(name)) === 0) {
      throw new StartError(`ALLOWED_HOSTS entry ${i + 1} ("${entry.trim()}") is not a host name: give names such as ` +
        'piriod.example or .example.com, without a scheme or a port, or * for any')
    }
    const bare = unbracket(name.endsWith('.') ? name.slice(0, -1) : name)
    if (bare.startsWith('.')) suffixes.push(bare)
    else names.add(bare)
  }
  return { names, suffixes }
}

/** The process's environment. */
export const environment = (): NodeJS.ProcessEnv => process.env

/** Reads the configuration from `env`; an empty value counts as unset. Throws a StartError naming the variable. */
export function loadConfig (env: NodeJS.ProcessEnv = environment()): Config {
  const values: Record<string, unknown> = {}
  for (const key of Object.keys(ConfigSchema.properties) as ConfigKey[]) {
    const raw = env[key]
    values[key] = raw === undefined || raw === '' ? ConfigSchema.properties[key].default : readValue(key, raw)
  }
  const config = values as ConfigValues
  if (/\s/.test(config.ADMIN_TOKEN)) throw new StartError('ADMIN_TOKEN contains whitespace, which no Authorization header can carry')
  if (config.CLOCK !== '' && parseInstant(config.CLOCK) === null) {
    throw new StartError(`CLOCK must be empty or an ISO-8601 instant from 1970 on such as 2026-01-01T00:00:00Z, got "${config.CLOCK}"`)
  }
  const tokens = parseTokens(config.API_TOKENS)
  // a token the emulator would refuse as live could never be used: the setting says two things at once
  const live = [...tokens.keys()].findIndex(t => t.startsWith('sk_live_'))
  if (live >= 0 && !config.ALLOW_LIVE_TOKENS) {
    throw new StartError(`API_TOKENS entry ${live + 1} looks like a live key (sk_live_…), which is refused unless ALLOW_LIVE_TOKENS=true: ` +
      'use a test token, or set ALLOW_LIVE_TOKENS=true')
  }
  return { ...config, tokens, allowedHosts: parseAllowedHosts(config.ALLOWED_HOSTS) }
}
