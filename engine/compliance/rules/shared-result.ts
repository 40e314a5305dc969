import type { RuleResult } from '../gate-types.ts';

/**
 * Most results of a batch are the same few passes ("not on any list", "no call in progress"):
 * they are built once and shared between decisions, frozen so no caller can change one
 * decision's reasons through another's. The gate's cost is then the rules' logic, not
 * hundreds of thousands of identical sentences for the garbage collector.
 */
export function sharedResult(result: RuleResult): RuleResult {
  return Object.freeze(result);
}

/** Results that depend on a few small values (a zone set, a count), memoized by a string key. */
export class ResultMemo {
  readonly #byKey = new Map<string, RuleResult>();
  constructor(private readonly limit = 10_000) {}

  get(key: string, build: () => RuleResult): RuleResult {
    let result = this.#byKey.get(key);
    if (!result) {
      result = sharedResult(build());
      if (this.#byKey.size >= this.limit) this.#byKey.clear();
      this.#byKey.set(key, result);
    }
    return result;
  }
}

/**
 * A one-entry cache keyed by object identity and a moment: a batch evaluates every contact
 * against the same campaign facts at the same `now`, so the last answer is almost always it.
 */
export class LastResult {
  #a: object | undefined;
  #b: object | undefined;
  #at = Number.NaN;
  #value: RuleResult | undefined;

  get(a: object, b: object, at: number, build: () => RuleResult): RuleResult {
    if (this.#a === a && this.#b === b && this.#at === at && this.#value) return this.#value;
    const value = sharedResult(build());
    this.#a = a;
    this.#b = b;
    this.#at = at;
    this.#value = value;
    return value;
  }
}
