import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { t } from '../i18n/index.ts';

/**
 * Runs `load` now, whenever one of `deps` changes, and on `reload()`: its result, or the API's
 * refusal as a sentence. An answer that arrives after a newer load started is dropped.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  const latest = useRef(load);
  latest.current = load;
  const key = JSON.stringify(deps);
  // biome-ignore lint/correctness/useExhaustiveDependencies: key and round are what a new load depends on
  useEffect(() => {
    let current = true;
    setError(null);
    latest.current().then(
      (value) => current && setData(value),
      (e: unknown) => current && setError(errorText(e)),
    );
    return () => {
      current = false;
    };
  }, [key, round]);
  return { data, error, reload: () => setRound((r) => r + 1) };
}

export function errorText(e: unknown): string {
  return e instanceof ApiError
    ? e.status === 0
      ? t.errors.network
      : t.errors.generic(e.message)
    : t.errors.network;
}

/** The form field an API issue names: a request-schema issue says `body.<field>`, a service's `<field>`. */
export function fieldOf(issue: { field: string }): string {
  return issue.field.replace(/^body\./, '');
}
