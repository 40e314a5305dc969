/** One dial of a list: number `number`, its `attempt`-th try (1, 2, …). */
export interface ListEntry {
  readonly number: number;
  readonly attempt: number;
  /** When it may be dialed, on the list's clock (seconds). */
  readonly dueAt: number;
}

/**
 * The numbers a dialer takes, in order: fresh numbers 0, 1, … and entries put back for later (a
 * retry of a number nobody answered, after a delay and up to `maxAttempts` tries; a number
 * reached outside its calling window, until the window opens). An entry due now goes before a
 * fresh number. When nothing is fresh and nothing is due, the list is exhausted until the next
 * entry falls due.
 */
export class DialList {
  private fresh = 0;
  /** A binary heap on (dueAt, number). */
  private readonly later: ListEntry[] = [];

  constructor(
    private readonly numbers: number,
    private readonly maxAttempts: number,
    private readonly retryAfterSeconds: number,
  ) {}

  /** The next entry to dial at `now`, or null when none is available now. */
  next(now: number): ListEntry | null {
    const due = this.later[0];
    if (due && due.dueAt <= now) return this.pop();
    if (this.fresh < this.numbers) return { number: this.fresh++, attempt: 1, dueAt: now };
    return null;
  }

  /** The entry ended unanswered at `now`: tried again after the delay while attempts remain. */
  unanswered(entry: ListEntry, now: number): void {
    if (entry.attempt >= this.maxAttempts) return;
    this.push({ number: entry.number, attempt: entry.attempt + 1, dueAt: now + this.retryAfterSeconds });
  }

  /** The entry was not dialed (outside its calling window): the same try, at `dueAt`. */
  defer(entry: ListEntry, dueAt: number): void {
    this.push({ number: entry.number, attempt: entry.attempt, dueAt });
  }

  /** When the next entry put back falls due, or null when none is waiting. */
  nextDue(): number | null {
    return this.later[0]?.dueAt ?? null;
  }

  /** Numbers never dialed yet. */
  get freshLeft(): number {
    return this.numbers - this.fresh;
  }

  /** Entries waiting to be dialed again. */
  get waiting(): number {
    return this.later.length;
  }

  private push(entry: ListEntry): void {
    const heap = this.later;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as ListEntry, heap[parent] as ListEntry)) break;
      [heap[i], heap[parent]] = [heap[parent] as ListEntry, heap[i] as ListEntry];
      i = parent;
    }
  }

  private pop(): ListEntry {
    const heap = this.later;
    const top = heap[0] as ListEntry;
    const last = heap.pop() as ListEntry;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l] as ListEntry, heap[m] as ListEntry)) m = l;
        if (r < heap.length && before(heap[r] as ListEntry, heap[m] as ListEntry)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m] as ListEntry, heap[i] as ListEntry];
        i = m;
      }
    }
    return top;
  }
}

function before(a: ListEntry, b: ListEntry): boolean {
  return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.number < b.number);
}
