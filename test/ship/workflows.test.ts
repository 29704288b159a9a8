// The release workflow is written to the same checks as CI: it publishes nothing that CI would not pass.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

type Step = { run?: string, uses?: string, with?: Record<string, unknown>, if?: string }
type Workflow = { on: unknown, jobs: Record<string, { steps: Step[], needs?: string, permissions?: Record<string, string> }> }

const read = (name: string): Workflow => parse(readFileSync(new URL(`../../.github/workflows/${name}`, import.meta.url), 'utf8')) as Workflow

t.test('release.yml: CI\'s checks first, the tag is the version, then npm with provenance and a multi-arch image', async t => {
  const ci = read('ci.yml')
  const release = read('release.yml')
  const runs = (steps: Step[]) => steps.map(s => s.run).filter((r): r is string => r !== undefined)
  const checks = runs(ci.jobs.test?.steps ?? [])
  t.ok(checks.length >= 4)
  t.strictSame(runs(release.jobs.check?.steps ?? []).filter(r => !r.startsWith('test ')), checks, 'the same commands as CI')
  t.ok(runs(release.jobs.check?.steps ?? []).some(r => r.includes('require("./package.json").version') && r.includes('GITHUB_REF_NAME')), 'the tag must name package.json\'s version')
  t.equal(release.jobs.npm?.needs, 'check')
  t.equal(release.jobs.image?.needs, 'check')
  t.equal(release.jobs.npm?.permissions?.['id-token'], 'write')
  t.ok(runs(release.jobs.npm?.steps ?? []).includes('npm publish --provenance --access public'))
  const build = release.jobs.image?.steps.find(s => s.uses?.startsWith('docker/build-push-action'))
  t.match(build?.with, { platforms: 'linux/amd64,linux/arm64', push: true })
})
