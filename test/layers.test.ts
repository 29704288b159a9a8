// docs/architecture.md's table of layers is the one ESLint enforces (LAYERS in eslint.config.js): the same folders,
// the same imports allowed, the same imports allowed as types only.
import t from 'tap'
import { readFileSync } from 'node:fs'

type Layers = Record<string, { may: string[], types?: string[] }>

const names = (cell: string): string[] => cell.trim() === '—' ? [] : [...cell.matchAll(/`([^`]+)`/g)].map(m => m[1] as string)

t.test('docs/architecture.md shows the layers ESLint enforces', async t => {
  const { LAYERS } = await import(String(new URL('../eslint.config.js', import.meta.url))) as { LAYERS: Layers }
  const doc = readFileSync(new URL('../docs/architecture.md', import.meta.url), 'utf8')
  const table = doc.slice(doc.indexOf('| folder | may import | types only | holds |'))
  const rows = table.slice(0, table.indexOf('\n\n')).split('\n').slice(2)
  t.equal(rows.length, Object.keys(LAYERS).length, 'a row per layer')
  const documented = Object.fromEntries(rows.map(row => {
    const [, folder = '', may = '', types = ''] = row.split('|')
    return [names(folder).join(', '), { may: names(may), types: names(types) }]
  }))
  t.strictSame(Object.keys(documented), Object.keys(LAYERS), 'the same layers, in the same order')
  for (const [layer, rule] of Object.entries(LAYERS)) {
    t.strictSame(documented[layer]?.may, rule.may, `${layer}: may import`)
    t.strictSame(documented[layer]?.types, rule.types ?? [], `${layer}: types only`)
  }
})
