/**
 * Bounded, order-preserving async map: runs `fn` on up to `window` items ahead of the consumer
 * and yields results in input order. Listing runs ahead of planning this way, while memory stays
 * bounded by the window (a huge first repository does not let the rest pile up behind it).
 */

/** Yields `fn(item)` for each item, in order, with at most `window` started and unconsumed. */
export async function* orderedMap<T, R>(
  items: readonly T[],
  window: number,
  fn: (item: T, index: number) => Promise<R>,
  shouldStart: () => boolean = () => true,
): AsyncGenerator<{ item: T; index: number; started: boolean; value?: R; error?: unknown }> {
  const size = Math.max(1, window);
  const inFlight = new Map<number, Promise<{ value?: R; error?: unknown; started: boolean }>>();
  let next = 0;
  const start = (): void => {
    while (next < items.length && inFlight.size < size) {
      const index = next;
      next += 1;
      const item = items[index] as T;
      // Checked at start time: a deadline stops listing repositories not yet begun.
      const task = shouldStart()
        ? fn(item, index).then(
            (value) => ({ value, started: true }),
            (error: unknown) => ({ error, started: true }),
          )
        : Promise.resolve({ started: false });
      inFlight.set(index, task);
    }
  };
  for (let index = 0; index < items.length; index += 1) {
    start();
    const task = inFlight.get(index);
    if (!task) throw new Error(`orderedMap: item ${index} was never started`);
    const settled = await task;
    inFlight.delete(index);
    yield { item: items[index] as T, index, ...settled };
  }
}
