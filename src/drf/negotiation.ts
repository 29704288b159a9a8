// DRF DefaultContentNegotiation.select_renderer with JSONRenderer as the only renderer: `?format=` other than
// json (or a format the view adds, such as the journal's har, itself JSON) is a 404, an Accept header that application/json cannot satisfy a 406, and an `indent` parameter on the
// chosen media type pretty-prints the answer (JSONRenderer.get_indent).
import { DETAIL, detail, type ApiError } from '../errors.js'
import { matchesJson, parseMediaType } from './parse.js'
import { pyIntFromString } from '../python/python.js'

// _MediaType.precedence: 3 for a type with parameters other than q, 2 for type/subtype, 1 for type/*, 0 for */*.
function precedence (type: string, params: Map<string, string>): number {
  if (type.startsWith('*')) return 0
  if (type.endsWith('/*')) return 1
  for (const key of params.keys()) if (key !== 'q') return 3
  return 2
}

/** The indent (1–8) to render with, null for compact output, or the error to answer. */
export function negotiate (accept: string | undefined, format: string | undefined, formats: readonly string[] = []): number | null | ApiError {
  if (format !== undefined && format !== '' && format !== 'json' && !formats.includes(format)) return detail(404, DETAIL.notFound)
  if (accept === undefined || accept === '*/*' || accept === 'application/json') return null
  let best: { rank: number, params: Map<string, string> } | undefined
  for (const entry of accept.split(',')) {
    const media = parseMediaType(entry)
    if (!matchesJson(media.type)) continue
    const rank = precedence(media.type, media.params)
    if (best === undefined || rank > best.rank) best = { rank, params: media.params }
  }
  if (best === undefined) return detail(406, DETAIL.notAcceptable)
  const indent = best.params.get('indent')
  if (indent === undefined) return null
  const n = pyIntFromString(indent)
  if (n === null) return null
  const clamped = Math.max(Math.min(n, 8), 0)
  return clamped === 0 ? null : clamped
}
