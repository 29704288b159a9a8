// The command line's flags: every environment variable as a flag (--port 0 --db :memory: --seed ./seed.json).
import { parseArgs } from 'node:util'
import { ConfigSchema, type ConfigKey } from './config.js'

const ALIASES: Partial<Record<ConfigKey, string>> = { DATABASE_PATH: 'db', SEED_FILE: 'seed' }

const flagOf = (key: ConfigKey): string => key.toLowerCase().replace(/_/g, '-')

const KEYS = Object.keys(ConfigSchema.properties) as ConfigKey[]

export function help (): string {
  const lines = KEYS.map(key => {
    const schema = ConfigSchema.properties[key] as { type?: string, default: unknown, description: string }
    const alias = ALIASES[key] === undefined ? '' : ` (--${ALIASES[key] as string})`
    const value = schema.type === 'boolean' ? '' : ' <value>'
    const fallback = schema.default === '' ? '' : ` [default: ${String(schema.default)}]`
    return `  --${flagOf(key)}${value}${alias}\n      ${schema.description}; env ${key}${fallback}`
  })
  return ['Usage: piriod-mock [options]', '       piriod-mock har [journal.ndjson] > run.har',
    '       piriod-mock parity --target URL --token TOKEN --workspace WS [options]   (piriod-mock parity --help)', '',
    'A stateful emulator of the Piriod refunds API. Options (each also an environment variable):', '',
    ...lines, '  --help      this text', '  --version   the version', '',
    'piriod-mock har converts a JOURNAL_FILE (from stdin, or the file named) to one HAR 1.2 document on stdout.',
    'piriod-mock parity checks the emulator against a real Piriod account (or a recorded set of its answers): docs/parity.md.', ''].join('\n')
}

/** The environment the flags describe, over `env`. Throws on an unknown or malformed flag. */
export function envFromArgs (args: string[], env: NodeJS.ProcessEnv): NodeJS.ProcessEnv & { help?: boolean, version?: boolean } {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' }, version: { type: 'boolean' } }
  for (const key of KEYS) {
    const type = (ConfigSchema.properties[key] as { type?: string }).type === 'boolean' ? 'boolean' : 'string'
    options[flagOf(key)] = { type }
    const alias = ALIASES[key]
    if (alias !== undefined) options[alias] = { type }
  }
  const { values } = parseArgs({ args, options, strict: true, allowPositionals: false })
  const out: NodeJS.ProcessEnv & { help?: boolean, version?: boolean } = { ...env }
  for (const key of KEYS) {
    const alias = ALIASES[key]
    const value = values[flagOf(key)] ?? (alias === undefined ? undefined : values[alias])
    if (value !== undefined) out[key] = String(value)
  }
  if (values.help === true) out.help = true
  if (values.version === true) out.version = true
  return out
}
