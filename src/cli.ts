#!/usr/bin/env node
// The `piriod-mock` command: every environment variable as a flag (--port 0 --db :memory: --seed ./seed.json);
// flags win over the environment. Says where it listens, as `npm start` does. `piriod-mock har` converts a JOURNAL_FILE.
import { envFromArgs, help } from './cli-args.js'
import { environment } from './config.js'
import { PACKAGE_VERSION } from './paths.js'
import { fatal, serve } from './process.js'
import { harCommand } from './test-kit/har-command.js'

async function main (args: string[]): Promise<void> {
  if (args[0] === 'har') {
    process.exitCode = await harCommand(args.slice(1), process)
    return
  }
  let env
  try {
    env = envFromArgs(args, environment())
  } catch (err) {
    return fatal(`${(err as Error).message} (see --help)`)
  }
  if (env.help === true || env.version === true) {
    process.stdout.write(env.help === true ? help() : `${PACKAGE_VERSION}\n`)
    return
  }
  await serve(env, { listeningLine: true })
}

await main(process.argv.slice(2))
