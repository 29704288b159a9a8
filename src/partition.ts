// Piriod's partition headers: every payment and refund lives in (workspace, mode). Checked after authentication
// and before the method, as a DRF view doing it in initial() would (../shared/drf-oracle/oracle.py).
import { nonFieldError, type ApiError } from './errors.js'
import { pyStrip } from './drf/python.js'

export interface Partition {
  workspace: string
  testMode: boolean
}

export const WORKSPACE_REQUIRED = 'x-simple-workspace header is required.'
export const TEST_MODE_INVALID = 'x-piriod-test-mode header must be a valid boolean: one of true/false, 1/0, ' +
  'yes/no, on/off, t/f, y/n (case-insensitive).'

// DRF BooleanField's TRUE_VALUES / FALSE_VALUES, compared lower-cased (DRF >= 3.15).
const TEST_MODE = new Map<string, boolean>([
  ['true', true], ['1', true], ['yes', true], ['on', true], ['t', true], ['y', true],
  ['false', false], ['0', false], ['no', false], ['off', false], ['f', false], ['n', false]
])

/** The partition the headers name, or the 400 to answer. */
export function readPartition (workspace: string | undefined, testMode: string | undefined): Partition | ApiError {
  if (workspace === undefined || pyStrip(workspace) === '') return nonFieldError(WORKSPACE_REQUIRED)
  let mode = false
  if (testMode !== undefined && testMode !== '') {
    const parsed = TEST_MODE.get(testMode.toLowerCase())
    if (parsed === undefined) return nonFieldError(TEST_MODE_INVALID)
    mode = parsed
  }
  return { workspace, testMode: mode }
}
