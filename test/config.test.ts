import t from 'tap'
import { readFileSync } from 'node:fs'
import { ConfigSchema, loadConfig } from '../src/config.js'
import { StartError } from '../src/start-error.js'

t.test('defaults', async t => {
  const config = loadConfig({})
  t.strictSame({ ...config, tokens: [...config.tokens] }, {
    PORT: 8080,
    HOST: '127.0.0.1',
    DATABASE_PATH: './data/piriod-mock.sqlite',
    API_TOKENS: '',
    ALLOW_LIVE_TOKENS: false,
    ADMIN_TOKEN: '',
    ALLOWED_HOSTS: '',
    MAX_DB_BYTES: 1073741824,
    SNAPSHOT_MAX_BYTES: 268435456,
    SEED_FILE: '',
    JOURNAL_SIZE: 1000,
    JOURNAL_MAX_BYTES: 16777216,
    JOURNAL_FILE: '',
    JOURNAL_FILE_MAX_BYTES: 67108864,
    DUPLICATE_WINDOW_MS: 10000,
    CLOCK: '',
    LATENCY_MS: 0,
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'auto',
    tokens: [],
    allowedHosts: { names: new Set(), suffixes: [] }
  })
  t.equal(loadConfig({ PORT: '', HOST: '' }).PORT, 8080, 'an empty value counts as unset')
})

t.test('values are read and checked', async t => {
  const config = loadConfig({
    PORT: '0',
    HOST: '0.0.0.0',
    DATABASE_PATH: ':memory:',
    API_TOKENS: ' tok_a, tok_b ,,tok_a',
    SEED_FILE: 'seed.json',
    LOG_LEVEL: 'warn',
    ALLOW_LIVE_TOKENS: 'TRUE',
    ADMIN_TOKEN: 'adm',
    JOURNAL_SIZE: '0',
    DUPLICATE_WINDOW_MS: '500',
    LATENCY_MS: '25'
  })
  t.equal(config.PORT, 0)
  t.equal(config.HOST, '0.0.0.0')
  t.equal(config.DATABASE_PATH, ':memory:')
  t.strictSame([...config.tokens], [['tok_a', null], ['tok_b', null]])
  t.equal(config.LOG_LEVEL, 'warn')
  t.equal(config.ALLOW_LIVE_TOKENS, true)
  t.equal(config.ADMIN_TOKEN, 'adm')
  t.equal(config.JOURNAL_SIZE, 0)
  t.equal(config.DUPLICATE_WINDOW_MS, 500)
  t.equal(config.LATENCY_MS, 25)
  t.equal(loadConfig({ PORT: '65535' }).PORT, 65535)
  t.equal(loadConfig({ CLOCK: '2026-01-01T00:00:00.5+01:00' }).CLOCK, '2026-01-01T00:00:00.5+01:00', 'an instant with an offset')
  for (const [value, parsed] of [['1', true], ['yes', true], ['false', false], ['0', false], ['No', false]] as const) {
    t.equal(loadConfig({ ALLOW_LIVE_TOKENS: value }).ALLOW_LIVE_TOKENS, parsed)
  }
  for (const [env, message] of [
    [{ PORT: 'abc' }, 'PORT must be an integer from 0 to 65535, got "abc"'],
    [{ PORT: '65536' }, 'PORT must be an integer from 0 to 65535, got "65536"'],
    [{ PORT: '-1' }, 'PORT must be an integer from 0 to 65535, got "-1"'],
    [{ PORT: '80.5' }, 'PORT must be an integer from 0 to 65535, got "80.5"'],
    [{ JOURNAL_SIZE: '100001' }, 'JOURNAL_SIZE must be an integer from 0 to 100000, got "100001"'],
    [{ LATENCY_MS: '60001' }, 'LATENCY_MS must be an integer from 0 to 60000, got "60001"'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
    [{ LOG_FORMAT: 'text' }, 'LOG_FORMAT must be one of auto, json, pretty, got "text"'],
    [{ ALLOW_LIVE_TOKENS: 'sometimes' }, 'ALLOW_LIVE_TOKENS must be true or false, got "sometimes"'],
    [{ ADMIN_TOKEN: 'has space' }, 'ADMIN_TOKEN contains whitespace, which no Authorization header can carry'],
    [{ API_TOKENS: 'ok,has space' }, 'API_TOKENS entry 2 contains whitespace, which no Authorization header can carry'],
    [{ API_TOKENS: '=acc_1' }, 'API_TOKENS entry 1 has no token before "="'],
    [{ API_TOKENS: 'tok=acc_1||acc_2' }, 'API_TOKENS entry 1: workspaces are separated by "|" and may not be empty'],
    [{ CLOCK: 'now' }, 'CLOCK must be empty or an ISO-8601 instant from 1970 on such as 2026-01-01T00:00:00Z, got "now"'],
    [{ CLOCK: '2026-01-01T00:00:00' }, 'CLOCK must be empty or an ISO-8601 instant from 1970 on such as 2026-01-01T00:00:00Z, got "2026-01-01T00:00:00"'],
    [{ CLOCK: '1969-12-31T23:59:59Z' }, 'CLOCK must be empty or an ISO-8601 instant from 1970 on such as 2026-01-01T00:00:00Z, got "1969-12-31T23:59:59Z"']
  ] as const) {
    t.throws(() => loadConfig(env), new StartError(message))
  }
})

t.test('API_TOKENS binds tokens to workspaces', async t => {
  const { tokens } = loadConfig({ API_TOKENS: 'tok_a=acc_1|acc_2,tok_b, tok_c = acc_3 ' })
  t.strictSame([...tokens].map(([k, v]) => [k, v === null ? null : [...v]]), [['tok_a', ['acc_1', 'acc_2']], ['tok_b', null], ['tok_c', ['acc_3']]])
})

t.test('.env.example lists every variable with its default', async t => {
  const text = readFileSync(new URL('../.env.example', import.meta.url), 'utf8')
  const entries = new Map(text.split('\n').filter(l => /^[A-Z_]+=/.test(l)).map(l => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
  t.strictSame([...entries.keys()].sort(), Object.keys(ConfigSchema.properties).sort())
  for (const [key, schema] of Object.entries(ConfigSchema.properties)) {
    t.equal(entries.get(key), String(schema.default), `${key} default`)
    const line = text.split('\n').indexOf(`${key}=${entries.get(key)}`)
    t.match(text.split('\n')[line - 1], /^# \S/, `${key} has a comment`)
  }
})

t.test('what ADMIN_TOKEN leaves open is said one way everywhere: --help, .env.example, the README, the admin docs', async t => {
  const phrase = "but health, ready, openapi.json and the dashboard's files"
  t.match(ConfigSchema.properties.ADMIN_TOKEN.description, phrase, '--help')
  for (const file of ['.env.example', 'README.md', 'docs/admin-api.md']) {
    const text = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8').replace(/\n#? */g, ' ')
    t.match(text, phrase, file)
    t.notMatch(text, /(except|other than|but) health and ready\b/, `${file}: no other list`)
  }
})
