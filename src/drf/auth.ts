// DRF TokenAuthentication.authenticate (rest_framework/authentication.py), keyword `Token`.
import { isUtf8 } from 'node:buffer'
import { DETAIL, notAuthenticated, type ApiError } from '../errors.js'

// bytes.split(): runs of ASCII whitespace.
const SPLIT = /[ \t\n\r\v\f]+/

// `Token <printable ASCII>`: the usual header, read without splitting or decoding.
const PLAIN = /^Token ([\x21-\x7e]+)$/

/** The token of a well-formed `Authorization: Token <key>` header, or the ApiError DRF would raise. */
export function readToken (header: string | undefined): string | ApiError {
  const plain = header === undefined ? null : PLAIN.exec(header)
  if (plain !== null) return plain[1] as string
  const parts = header === undefined ? [] : header.split(SPLIT).filter(p => p !== '')
  const [keyword, token] = parts
  if (keyword === undefined || !/^token$/i.test(keyword)) return notAuthenticated(DETAIL.notAuthenticated)
  if (token === undefined) return notAuthenticated(DETAIL.noCredentials)
  if (parts.length > 2) return notAuthenticated(DETAIL.tokenSpaces)
  // Node hands header bytes over as latin-1; DRF decodes the token as UTF-8.
  const bytes = Buffer.from(token, 'latin1')
  if (!isUtf8(bytes)) return notAuthenticated(DETAIL.tokenCharacters)
  return bytes.toString('utf8')
}
