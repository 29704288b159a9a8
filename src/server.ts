// Entry point (`npm start`, the container's CMD): configuration from the environment, and every setting as a flag
// too (`npm start -- --port 31082`), as the command line takes them.
import { main } from './process.js'

await main(process.argv.slice(2), { commandLine: false })
