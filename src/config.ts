// The environment, validated at start. The only module that reads process.env (through loadConfig's default).
import { Type, type Static } from '@sinclair/typebox'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

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
    description: 'comma-separated accepted tokens; empty = any well-formed token is accepted'
  }),
  SEED_FILE: Type.String({ default: '', description: 'JSON file of payments loaded at start' }),
  LOG_LEVEL: Type.Union(LOG_LEVELS.map(l => Type.Literal(l)), { default: 'info', description: 'pino log level' })
})

export type Config = Static<typeof ConfigSchema> & {
  /** API_TOKENS, parsed */
  tokens: ReadonlySet<string>
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

type Key = keyof Static<typeof ConfigSchema>

function readValue (key: Key, raw: string): unknown {
  const schema = ConfigSchema.properties[key] as { type?: string, minimum: number, maximum: number, anyOf?: Array<{ const: string }> }
  if (schema.type === 'integer') {
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN
    if (!(n >= schema.minimum && n <= schema.maximum)) {
      throw new ConfigError(`${key} must be an integer from ${schema.minimum} to ${schema.maximum}, got "${raw}"`)
    }
    return n
  }
  if (schema.anyOf !== undefined) {
    const allowed = schema.anyOf.map(s => s.const)
    if (!allowed.includes(raw)) throw new ConfigError(`${key} must be one of ${allowed.join(', ')}, got "${raw}"`)
  }
  return raw
}

function parseTokens (raw: string): Set<string> {
  const tokens = new Set<string>()
  for (const [i, entry] of raw.split(',').entries()) {
    const token = entry.trim()
    if (token === '') continue
    // the message names the entry, never the token
    if (/\s/.test(token)) throw new ConfigError(`API_TOKENS entry ${i + 1} contains whitespace, which no Authorization header can carry`)
    tokens.add(token)
  }
  return tokens
}

/** Reads the configuration from `env`; an empty value counts as unset. Throws ConfigError naming the variable. */
export function loadConfig (env: NodeJS.ProcessEnv = process.env): Config {
  const values: Record<string, unknown> = {}
  for (const key of Object.keys(ConfigSchema.properties) as Key[]) {
    const raw = env[key]
    values[key] = raw === undefined || raw === '' ? ConfigSchema.properties[key].default : readValue(key, raw)
  }
  const config = values as Static<typeof ConfigSchema>
  return { ...config, tokens: parseTokens(config.API_TOKENS) }
}
