// What may be shown of a credential: the rules of src/redact.ts one by one.
import t from 'tap'
import { isSensitiveName, mask, redactAuthorization, redactCookie, redactHeader, redactQuery, redactSetCookie, redactUrl } from '../src/redact.js'

t.test('names that carry credentials', async t => {
  for (const name of ['Authorization', 'proxy-authorization', 'cookie', 'Set-Cookie', 'x-api-key', 'X-Auth-Token', 'client_secret', 'PASSWORD', 'x-session', 'apikey']) {
    t.ok(isSensitiveName(name), name)
  }
  for (const name of ['x-simple-workspace', 'x-piriod-test-mode', 'content-type', 'accept', 'user-agent', 'page', 'keep-alive']) t.notOk(isSensitiveName(name), name)
})

t.test('masks', async t => {
  t.equal(mask('abcdefgh'), '…efgh')
  t.equal(mask('abcdefg'), '…', 'under 8 characters nothing shows')
  t.equal(redactAuthorization('Token abcdefgh1234'), 'Token …1234')
  t.equal(redactAuthorization('  Bearer\t xyz-0123456789  '), 'Bearer …6789')
  t.equal(redactAuthorization('sk_live_abcdefgh1234'), '…1234', 'no scheme: the whole value is the secret')
  t.equal(redactAuthorization('Token'), '…')
  t.equal(redactAuthorization(''), '…')
  t.equal(redactCookie('sid=s3cr3t-value; theme=dark; flag'), 'sid=…alue; theme=…; …')
  t.equal(redactSetCookie('sid=s3cr3t-value; Path=/; HttpOnly'), 'sid=…alue; Path=/; HttpOnly', 'attributes are not secret')
  t.equal(redactSetCookie('sid=s3cr3t-value'), 'sid=…alue')
  t.equal(redactHeader('x-api-key', 'key_0123456789'), '…6789')
  t.equal(redactHeader('accept', 'application/json'), 'application/json')
  t.equal(redactHeader('set-cookie', ['a=12345678; Secure', 'b=2']), 'a=…5678; Secure, b=…')
})

t.test('query strings and URLs', async t => {
  t.equal(redactQuery(''), '')
  t.equal(redactQuery('key=%zz12345678'), 'key=…5678', 'a value that is not valid percent-encoding is masked as sent')
  t.equal(redactQuery('a=1&api%5Fkey=abcdefgh123&b&token=x+y'), 'a=1&api%5Fkey=…h123&b&token=…', 'names are decoded before they are judged')
  t.equal(redactUrl('/refunds/'), '/refunds/')
  t.equal(redactUrl('/refunds/?secret=0123456789'), '/refunds/?secret=…6789')
})
