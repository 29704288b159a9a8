// The charsets Django and DRF read a body with, decoder by decoder (expected texts printed by CPython 3.11's
// codecs.getreader(...).read() for the same bytes).
import t from 'tap'
import { codecFor, decode, lookupCodec } from '../../src/python/charsets.js'

const read = (charset: string, bytes: number[] | Buffer) => decode(Buffer.from(bytes), codecFor(charset))

t.test('codecs.lookup(): Python\'s names and aliases, however they are spelled', async t => {
  t.match(lookupCodec('UTF-8'), { module: 'utf_8', name: 'utf-8' })
  t.match(lookupCodec(' utf--8 '), { module: 'utf_8' })
  t.match(lookupCodec('latin1'), { module: 'latin_1', name: 'iso8859-1' })
  t.match(lookupCodec('windows-1252'), { module: 'cp1252', kind: 'table' })
  t.match(lookupCodec('ISO_8859-2'), { module: 'iso8859_2' })
  t.match(lookupCodec('sjis'), { module: 'shift_jis', kind: 'multibyte' })
  t.match(lookupCodec('base64'), { module: 'base64_codec', kind: 'unsupported' })
  t.equal(lookupCodec('x-unknown'), null)
  t.equal(lookupCodec('utf.8.x'), null, 'a dotted name that is no alias is no module either')
  t.equal(codecFor('x-unknown').module, 'utf_8', 'Django keeps only a charset Python knows: UTF-8 otherwise')
})

t.test('UTF-16 and UTF-32: BOMs, byte orders, what is kept back, errors', async t => {
  const emoji = Buffer.from('"\u{1f600}"', 'utf16le')
  t.strictSame(read('utf-16le', emoji), { ok: true, text: '"\u{1f600}"' }, 'a surrogate pair')
  t.strictSame(read('utf-16le', [0x61, 0x00, 0x3d, 0xd8]), { ok: true, text: 'a' }, 'a high surrogate at the end is kept back')
  t.strictSame(read('utf-16le', [0x61, 0x00, 0x62]), { ok: true, text: 'a' }, 'an odd byte at the end is kept back')
  t.strictSame(read('utf-16-le', [0x61, 0x00, 0x00, 0xdc]), { ok: false, detail: "'utf-16-le' codec can't decode bytes in position 2-3: illegal encoding" })
  t.strictSame(read('utf-16be', [0xd8, 0x00, 0xd8, 0x00]), { ok: false, detail: "'utf-16-be' codec can't decode bytes in position 0-1: illegal UTF-16 surrogate" })
  t.strictSame(read('utf-16', [0xff, 0xfe, 0x00, 0xd8, 0x61, 0x00]), { ok: false, detail: "'utf-16-le' codec can't decode bytes in position 2-3: illegal UTF-16 surrogate" })
  t.strictSame(read('utf-16', [0x61, 0x00]), { ok: false, detail: 'UTF-16 stream does not start with BOM' })
  t.strictSame(read('utf-16', [0x00, 0xdc, 0x61, 0x62]), { ok: false, detail: "'utf-16-le' codec can't decode bytes in position 0-1: illegal encoding" }, 'without a BOM, decoded as little-endian first')
  t.strictSame(read('utf-16', [0xff]), { ok: true, text: '' })
  t.strictSame(read('utf-16', [0xfe, 0xff, 0x00, 0x61]), { ok: true, text: 'a' })
  t.strictSame(read('utf-32', [0xff, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x11, 0x00]), { ok: false, detail: "'utf-32-le' codec can't decode bytes in position 4-7: code point not in range(0x110000)" })
  t.strictSame(read('utf-32-be', [0x00, 0x00, 0xd8, 0x00]), { ok: false, detail: "'utf-32-be' codec can't decode bytes in position 0-3: code point in surrogate code point range(0xd800, 0xe000)" })
  t.strictSame(read('utf-32', [0x00, 0x00, 0xfe, 0xff, 0x00, 0x00, 0x00, 0x61]), { ok: true, text: 'a' })
  t.strictSame(read('utf-32', [0x61, 0x00, 0x00, 0x00]), { ok: false, detail: 'UTF-32 stream does not start with BOM' })
  t.strictSame(read('utf-32le', [0x61, 0x00, 0x00]), { ok: true, text: '' }, 'an unfinished group is kept back')
})

t.test('UTF-8 with a signature, single-byte tables, ASCII, and what is not decoded', async t => {
  t.strictSame(read('utf-8-sig', [0xef, 0xbb]), { ok: true, text: '' }, 'a BOM begun: wait for the rest')
  t.strictSame(read('utf-8-sig', [0xef, 0xbb, 0xbf, 0x78, 0xef, 0xbb, 0xbf]), { ok: true, text: 'x\ufeff' })
  t.strictSame(read('utf-8-sig', [0xef, 0xbb, 0xbf, 0xff]), { ok: false, detail: "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte" }, 'positions count from after the BOM')
  t.strictSame(read('cp1252', [0x80, 0x61]), { ok: true, text: '€a' })
  t.strictSame(read('cp1252', [0x61, 0x81]), { ok: false, detail: "'charmap' codec can't decode byte 0x81 in position 1: character maps to <undefined>" })
  t.strictSame(read('cp037', [0xc1, 0x40]), { ok: true, text: 'A ' }, 'EBCDIC: a full table')
  t.strictSame(read('ascii', [0x61, 0x80]), { ok: false, detail: "'ascii' codec can't decode byte 0x80 in position 1: ordinal not in range(128)" })
  t.strictSame(read('charmap', [0xe9]), { ok: true, text: 'é' })
  t.strictSame(read('undefined', [0x7b]), { ok: false, detail: 'undefined encoding' })
  t.strictSame(read('shift_jis', [0x7b, 0x7d]), { ok: true, text: '{}' }, 'ASCII reads as ASCII in an ASCII-compatible multibyte codec')
  t.strictSame(read('shift_jis', [0x82, 0xa0]), { ok: false, unsupported: 'shift_jis' })
  t.strictSame(read('hz', [0x7e, 0x7b]), { ok: false, unsupported: 'hz' }, 'an escape byte')
  t.strictSame(read('rot13', [0x7b]), { ok: false, unsupported: 'rot-13' })
})
