// DRF's PageNumberPagination, as Piriod's list endpoints use it: `?page=` from 1 (or `last`), `?page_size=`
// (default 20, at most 100), and the envelope {"count", "next", "previous", "results"} with absolute links.
import type { FastifyRequest } from 'fastify'
import { DETAIL, detail, type ApiError } from '../errors.js'
import { pyIntFromString } from '../python/python.js'

const PAGE_SIZE = 20
const MAX_PAGE_SIZE = 100

export interface Page {
  number: number
  size: number
  offset: number
  /** how many pages the whole list has (at least 1: the first page may be empty) */
  pages: number
}

const lastValue = (v: unknown): string | undefined => Array.isArray(v) ? v[v.length - 1] as string : v as string | undefined

/** The page the query asks for, among `count` items, or DRF's 404 `Invalid page.` */
export function readPage (query: unknown, count: number): Page | ApiError {
  const q = query as Record<string, unknown>
  // get_page_size: a positive int, cut to the maximum; anything else is the default
  const askedSize = lastValue(q.page_size)
  const sizeValue = askedSize === undefined ? null : pyIntFromString(askedSize)
  const size = sizeValue === null || sizeValue <= 0 ? PAGE_SIZE : Math.min(sizeValue, MAX_PAGE_SIZE)
  const pages = Math.max(1, Math.ceil(count / size))
  const asked = lastValue(q.page) ?? '1'
  // Django's Paginator.validate_number: an int from 1 to the last page
  const number = asked === 'last' ? pages : pyIntFromString(asked)
  if (number === null || number < 1 || number > pages) return detail(404, DETAIL.invalidPage)
  return { number, size, offset: (number - 1) * size, pages }
}

/** DRF's replace_query_param / remove_query_param on the request's absolute URL: parameters sorted, page set. */
function pageLink (request: FastifyRequest, page: number | null): string {
  const [path = '', search = ''] = request.url.split('?', 2)
  const params = new URLSearchParams(search)
  if (page === null) params.delete('page')
  else params.set('page', String(page))
  params.sort()
  const query = params.toString()
  return `http://${request.headers.host ?? 'localhost'}${path}${query === '' ? '' : `?${query}`}`
}

/** The envelope around a page of results, each already JSON text. */
export function pageJson (request: FastifyRequest, page: Page, count: number, results: readonly string[]): string {
  const next = page.number < page.pages ? JSON.stringify(pageLink(request, page.number + 1)) : 'null'
  const previous = page.number > 1 ? JSON.stringify(pageLink(request, page.number === 2 ? null : page.number - 1)) : 'null'
  return `{"count":${count},"next":${next},"previous":${previous},"results":[${results.join(',')}]}`
}
