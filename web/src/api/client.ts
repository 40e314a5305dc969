/**
 * The console's only way to the dialer: the public HTTP API under /api (same origin). Sign-in
 * sets an HttpOnly session cookie; every change sends the CSRF token back in x-csrf-token.
 */

export interface Issue {
  field: string;
  message: string;
}

/** An answer of the API that is not a success: its status and the error body's code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const CSRF_KEY = 'dialer.csrf';

/** The CSRF token of this tab's session (the cookie holding it is scoped to /api, out of the page's reach). */
export function rememberCsrf(token: string | null): void {
  if (token === null) sessionStorage.removeItem(CSRF_KEY);
  else sessionStorage.setItem(CSRF_KEY, token);
}

let onUnauthenticated: () => void = () => {};
/** What to do when the session has ended (the shell shows the sign-in page). */
export function whenUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const csrf = sessionStorage.getItem(CSRF_KEY);
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError(0, 'network', 'network');
  }
  if (response.status === 204) return undefined as T;
  const json = (await response.json().catch(() => null)) as {
    error?: { code: string; message: string; issues?: Issue[] };
  } | null;
  if (!response.ok) {
    const error = json?.error ?? { code: `http_${response.status}`, message: response.statusText };
    if (response.status === 401 && path !== '/api/session') onUnauthenticated();
    throw new ApiError(response.status, error.code, error.message, error.issues ?? []);
  }
  return json as T;
}

export const get = <T>(path: string) => request<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {});

/** One file as multipart/form-data (the list upload); the answer as JSON, errors as `ApiError`. */
export async function upload<T>(path: string, file: File): Promise<T> {
  const form = new FormData();
  form.append('file', file, file.name);
  const csrf = sessionStorage.getItem(CSRF_KEY);
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: { accept: 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
      credentials: 'same-origin',
      body: form,
    });
  } catch {
    throw new ApiError(0, 'network', 'network');
  }
  const json = (await response.json().catch(() => null)) as {
    error?: { code: string; message: string; issues?: Issue[] };
  } | null;
  if (!response.ok) {
    const error = json?.error ?? { code: `http_${response.status}`, message: response.statusText };
    if (response.status === 401) onUnauthenticated();
    throw new ApiError(response.status, error.code, error.message, error.issues ?? []);
  }
  return json as T;
}

/** A query string of the set values only (empty strings and undefined left out). */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
