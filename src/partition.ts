// Piriod's partition headers: every payment and refund lives in (workspace, mode). Checked after authentication
// and before the method, as a DRF view doing it in APIView.initial() would (checked against a real DRF app).
import { nonFieldError, type ApiError } from './errors.js'
import { pyStrip } from './python/python.js'

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

export const WORKSPACE_UNSENDABLE = 'Enter a workspace an x-simple-workspace header can carry: printable ASCII (or bytes ' +
  '0x80-0xFF, read as Latin-1), with no control characters and no spaces around it.'

/**
 * Whether a workspace can arrive in an x-simple-workspace header: Node reads header bytes as Latin-1 (so no
 * character above U+00FF), HTTP allows no control characters but the tab, and strips spaces and tabs around a value.
 * Workspaces that enter otherwise (a snapshot, a seed file, the programmatic API) must be such too, or their
 * payments could never be reached.
 */
export function sendableWorkspace (ws: string): boolean {
  if (pyStrip(ws) === '') return false
  for (let i = 0; i < ws.length; i++) {
    const c = ws.charCodeAt(i)
    if (c > 0xff || c === 0x7f || (c < 0x20 && c !== 0x09)) return false
  }
  const edge = (c: number): boolean => c === 0x20 || c === 0x09
  return !edge(ws.charCodeAt(0)) && !edge(ws.charCodeAt(ws.length - 1))
}

/** The partition the headers name, or the 400 to answer. */
export function readPartition (workspace: string | undefined, testMode: string | undefined): Partition | ApiError {
  if (workspace === undefined || pyStrip(workspace) === '') return nonFieldError(WORKSPACE_REQUIRED)
  // (only the programmatic API, which injects its requests, can send such a header)
  if (!sendableWorkspace(workspace)) return nonFieldError(WORKSPACE_UNSENDABLE)
  let mode = false
  if (testMode !== undefined && testMode !== '') {
    const parsed = TEST_MODE.get(testMode.toLowerCase())
    if (parsed === undefined) return nonFieldError(TEST_MODE_INVALID)
    mode = parsed
  }
  return { workspace, testMode: mode }
}

/** x-piriod-test-mode as a partition reads it: absent or empty = live (false), invalid = null. */
export function testModeOf (value: string | undefined): boolean | null {
  return value === undefined || value === '' ? false : TEST_MODE.get(value.toLowerCase()) ?? null
}

/** What an admin call is limited to: a workspace, a mode, both, or neither (everything). */
export interface Scope {
  workspace: string | null
  testMode: boolean | null
}

/** The optional scope headers of an admin call, or the 400 for an invalid x-piriod-test-mode. */
export function readScope (workspace: string | undefined, testMode: string | undefined): Scope | ApiError {
  const ws = workspace === undefined || pyStrip(workspace) === '' ? null : workspace
  if (testMode === undefined || testMode === '') return { workspace: ws, testMode: null }
  const mode = TEST_MODE.get(testMode.toLowerCase())
  if (mode === undefined) return nonFieldError(TEST_MODE_INVALID)
  return { workspace: ws, testMode: mode }
}

/**
 * Whether a partition falls inside a scope: a payment's, a journal entry's (whose headers may name none: null
 * is inside only an unlimited scope), or a request's inside a fault rule's scope.
 */
export function inScope (scope: Scope, workspace: string | null, testMode: boolean | null): boolean {
  return (scope.workspace === null || scope.workspace === workspace) && (scope.testMode === null || scope.testMode === testMode)
}
