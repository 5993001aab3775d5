/*
 * Concurrency helpers. A counting semaphore: at most `max` tasks run at once, the rest wait in
 * order. Bounds open files and bytes in flight during a backup or restore.
 */

/** Runs async tasks with bounded concurrency. */
export class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`"concurrency" expected integer >= 1, got ${max}`);
  }

  /** Runs `task` when a slot is free. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.queue.push(r));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

/**
 * Like Promise.all, but waits for every task to settle before rejecting with
 * the first error, so no task keeps writing after the operation has failed.
 */
export async function settleAll<T>(tasks: Promise<T>[]): Promise<T[]> {
  const r = await Promise.allSettled(tasks);
  const bad = r.find((x): x is PromiseRejectedResult => x.status === 'rejected');
  if (bad) throw bad.reason;
  return r.map((x) => (x as PromiseFulfilledResult<T>).value);
}
