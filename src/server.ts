// Entry point (`npm start`, the container's CMD): configuration from the environment.
import { serve } from './process.js'

await serve()
