// What the journal, the logs and the dashboard show of credentials: never enough to use one. Authorization and
// Proxy-Authorization keep their scheme and the last 4 characters of the rest (enough to tell tokens apart);
// cookies keep their names; any other header or query parameter whose name says it carries a secret keeps its
// last 4 characters. Values shorter than 8 characters show nothing at all.

const SENSITIVE = ['token', 'secret', 'key', 'password', 'session', 'auth']

/** Whether a header or query parameter name says its value is a credential (case-insensitive). */
export function isSensitiveName (name: string): boolean {
  const lower = name.toLowerCase()
  return lower === 'cookie' || lower === 'set-cookie' || SENSITIVE.some(word => lower.includes(word))
}

/** `…abcd`: the last 4 characters of a value of 8 or more, nothing of a shorter one. */
export function mask (value: string): string {
  return `…${value.length >= 8 ? value.slice(-4) : ''}`
}

const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d)

/** `Token …abcd` for `Token <key>`; a value with no scheme in front (`sk_live_…`) is masked whole. */
export function redactAuthorization (value: string): string {
  let start = 0
  let end = value.length
  while (start < end && isSpace(value.charCodeAt(start))) start++
  while (end > start && isSpace(value.charCodeAt(end - 1))) end--
  let gap = start
  while (gap < end && !isSpace(value.charCodeAt(gap))) gap++
  if (gap === end) return mask(value.slice(start, end))
  let rest = gap
  while (rest < end && isSpace(value.charCodeAt(rest))) rest++
  return `${value.slice(start, gap)} ${mask(value.slice(rest, end))}`
}

/** `a=…; sid=…wxyz`: every cookie keeps its name. */
export function redactCookie (value: string): string {
  return value.split(';').map(pair => {
    const eq = pair.indexOf('=')
    return eq < 0 ? mask(pair.trim()) : `${pair.slice(0, eq).trim()}=${mask(pair.slice(eq + 1).trim())}`
  }).join('; ')
}

/** `sid=…wxyz; Path=/; HttpOnly`: the cookie's value masked, its attributes kept. */
export function redactSetCookie (value: string): string {
  const semi = value.indexOf(';')
  return semi < 0 ? redactCookie(value) : `${redactCookie(value.slice(0, semi))}${value.slice(semi)}`
}

/** A header value as it may be shown; several values (Node keeps set-cookie as a list) are joined by `, `. */
export function redactHeader (name: string, value: string | string[]): string {
  if (typeof value !== 'string') return value.map(v => redactHeader(name, v)).join(', ')
  if (!isSensitiveName(name)) return value
  const lower = name.toLowerCase()
  if (lower === 'authorization' || lower === 'proxy-authorization') return redactAuthorization(value)
  if (lower === 'cookie') return redactCookie(value)
  if (lower === 'set-cookie') return redactSetCookie(value)
  return mask(value)
}

function decodeName (raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '))
  } catch {
    return raw
  }
}

/**
 * A query string (without `?`) with the values of sensitive parameters masked (`api_key=…abcd`, the mark left
 * unencoded for the reader); everything else byte for byte.
 */
export function redactQuery (query: string): string {
  if (query === '') return query
  return query.split('&').map(pair => {
    const eq = pair.indexOf('=')
    if (eq < 0 || !isSensitiveName(decodeName(pair.slice(0, eq)))) return pair
    return `${pair.slice(0, eq)}=${mask(decodeName(pair.slice(eq + 1)))}`
  }).join('&')
}

/** A request URL (path and query) with its sensitive query parameters masked. */
export function redactUrl (url: string): string {
  const q = url.indexOf('?')
  return q < 0 ? url : `${url.slice(0, q)}?${redactQuery(url.slice(q + 1))}`
}
