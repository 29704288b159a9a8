// Work that arrives in one turn of the event loop, done together: each call queues its item, the first schedules
// the batch, and every caller hears of its own result after the batch ran (the refund store's group commit, the
// payment lookups' shared read transaction). `run` answers one result per item, or an ItemFailed for an item that
// failed alone; a batch that throws fails every item in it.
export class ItemFailed {
  readonly error: unknown
  constructor (cause: unknown) {
    this.error = cause
  }
}
export type ItemResult<R> = R | ItemFailed

export function turnBatch<I, R> (run: (batch: readonly I[]) => Array<ItemResult<R>>): (item: I) => Promise<R> {
  let queue: Array<{ item: I, resolve: (result: R) => void, reject: (err: unknown) => void }> = []

  function flush (): void {
    const batch = queue
    queue = []
    let results: Array<ItemResult<R>>
    try {
      results = run(batch.map(q => q.item))
    } catch (err) {
      for (const q of batch) q.reject(err)
      return
    }
    batch.forEach((q, i) => {
      const result = results[i] as ItemResult<R>
      if (result instanceof ItemFailed) q.reject(result.error)
      else q.resolve(result)
    })
  }

  return item => new Promise((resolve, reject) => {
    if (queue.push({ item, resolve, reject }) === 1) setImmediate(flush)
  })
}
