/** A binary min-heap of timed events; ties leave in insertion order, so a run is deterministic. */
export interface TimedEvent {
  time: number;
  seq: number;
}

export class EventQueue<E extends TimedEvent> {
  private readonly heap: E[] = [];
  private counter = 0;

  get size(): number {
    return this.heap.length;
  }

  peekTime(): number {
    return this.heap.length > 0 ? (this.heap[0] as E).time : Infinity;
  }

  push(event: E): void {
    event.seq = this.counter++;
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as E;
      if (!before(event, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = event;
  }

  pop(): E | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(heap[right] as E, heap[left] as E) ? right : left;
      if (!before(heap[child] as E, last)) break;
      heap[i] = heap[child] as E;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

function before(a: TimedEvent, b: TimedEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
