// What `npm start` and `npx piriod-mock` say once listening: the URL, where the data lives, which tokens are
// accepted, whether the admin API is guarded, and where to look next. A short block for a person at a terminal,
// one log line ("ready") in JSON mode.
import { resolve } from 'node:path'
import type { Config } from './config.js'
import { MEMORY } from './db/connection.js'

export interface StartFacts {
  url: string
  data: string
  tokens: string
  admin: string
  dashboard: string
  journal: string
}

export function startFacts (config: Config, url: string): StartFacts {
  const live = config.ALLOW_LIVE_TOKENS ? 'sk_live_ keys too' : 'sk_live_ keys are refused'
  const count = config.tokens.size
  return {
    url,
    data: config.DATABASE_PATH === MEMORY ? 'in memory: gone when it stops' : `${resolve(config.DATABASE_PATH)} (kept between runs)`,
    tokens: count === 0
      ? `any well-formed "Authorization: Token <key>" (API_TOKENS is empty; ${live})`
      : `only the ${count === 1 ? 'token' : `${count} tokens`} in API_TOKENS (${live})`,
    admin: config.ADMIN_TOKEN === '' ? 'open: no token needed (set ADMIN_TOKEN when others can reach this port)' : 'guarded: send "Authorization: Token <ADMIN_TOKEN>"',
    dashboard: `${url}/__admin/`,
    journal: `${url}/__admin/requests`
  }
}

export function startBlock (facts: StartFacts, config: Pick<Config, 'JOURNAL_FILE'>): string {
  const lines = [
    `piriod-mock listening on ${facts.url}`,
    `  data       ${facts.data}`,
    `  tokens     ${facts.tokens}`,
    `  admin API  ${facts.admin}`,
    `  look at    ${facts.dashboard} (dashboard) · GET /__admin/requests (what was sent and answered)`
  ]
  if (config.JOURNAL_FILE !== '') lines.push(`  journal    also appended to ${resolve(config.JOURNAL_FILE)}`)
  return lines.join('\n') + '\n'
}
