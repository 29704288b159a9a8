/**
 * A start-up problem a user can fix — a bad setting or option, a seed that does not load, a database or port that
 * cannot be used — in one line that names it. `npm start` and `npx piriod-mock` print it and exit 1;
 * startPiriodMock() rejects with it.
 */
export class StartError extends Error {
  override name = 'StartError'
}
