#!/usr/bin/env node
// The `piriod-mock` command: every environment variable as a flag (--port 0 --db :memory: --seed ./seed.json);
// flags win over the environment. Says where it listens, as `npm start` does. `piriod-mock har` converts a JOURNAL_FILE; `piriod-mock parity` compares
// the emulator with a target (docs/parity.md).
import { main } from './process.js'

await main(process.argv.slice(2), { commandLine: true })
