// Types that say what arrives: checked by `tsc -p test` (npm test's posttest), never run. A route's body is bytes
// until a serializer reads it (the emulated API reads them as DRF does; the admin API through its schemas'
// readers), so reading a field of it as a number is a type error — the `@ts-expect-error` lines fail the
// type-check if it ever compiles again.
import type { App } from '../../src/app.js'

export function routesSeeBytes (app: App): void {
  app.post('/__nowhere', async request => {
    // @ts-expect-error the body is unknown (a Buffer at run time), not a typed refund
    const payment: number = request.body.payment
    // @ts-expect-error so are the headers' values beyond Node's own typing
    const mode: boolean = request.headers['x-piriod-test-mode']
    return [payment, mode]
  })
}
