/**
 * The API load of `npm run bench:serve`, in its own process: run in the bench's process, a
 * hundred feed clients parsing their streams and the request loop took the event loop the
 * engine and the API were being measured on, and their own delays were counted as the API's.
 *
 * Input (argv[2], JSON): url, token, codes (agent codes to watch), feeds, ms. Output (stdout,
 * JSON): raw samples in ms: feed delays (state change → client), screen request and bare
 * round-trip latencies, requests sent, failures by code, feeds connected.
 */
const input = JSON.parse(process.argv[2] ?? '{}') as {
  url: string;
  token: string;
  codes: string[];
  feeds: number;
  ms: number;
};
const auth = { authorization: `Bearer ${input.token}` };

function feedClient(query: string, delays: number[] | null, signal: AbortSignal, connected: () => void) {
  return (async () => {
    try {
      const response = await fetch(`${input.url}/api/events${query}`, { headers: auth, signal });
      if (response.ok) connected();
      const decoder = new TextDecoder();
      let buffer = '';
      let first = true;
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        const at = Date.now();
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (!data || !block.includes('event: agent')) continue;
          // The first message is the state at connection: not a change.
          if (first) {
            first = false;
            continue;
          }
          const since = Date.parse((JSON.parse(data.slice(6)) as { since: string }).since);
          delays?.push(at - since);
        }
      }
    } catch {
      // aborted at the end of the phase
    }
  })();
}

const abort = new AbortController();
const feedDelays: number[] = [];
let feedsConnected = 0;
const clients = [
  ...input.codes.slice(0, input.feeds).map((code) =>
    feedClient(`?channel=agent&agent=${code}`, feedDelays, abort.signal, () => {
      feedsConnected += 1;
    }),
  ),
  feedClient('?channel=manager', null, abort.signal, () => {}),
];
const reference: number[] = [];
const screen: number[] = [];
const failures: Record<string, number> = {};
const failed = (error: unknown) => {
  const e = error as { cause?: { code?: string }; name?: string };
  const key = e.cause?.code ?? e.name ?? String(error);
  failures[key] = (failures[key] ?? 0) + 1;
};
let requests = 0;
const timed = (path: string, into: number[]) => {
  const t = performance.now();
  void fetch(`${input.url}${path}`, { headers: auth })
    .then((r) => r.arrayBuffer())
    .then(() => into.push(performance.now() - t))
    .catch(failed);
};
// 20 screen requests and 10 bare round trips a second.
const load = setInterval(() => {
  for (let k = 0; k < 2; k += 1) {
    requests += 1;
    timed(`/api/agents/${input.codes[requests % input.codes.length]}/screen`, screen);
  }
  timed('/api/session', reference);
}, 100);
await new Promise((r) => setTimeout(r, input.ms));
clearInterval(load);
abort.abort();
await Promise.allSettled(clients);
process.stdout.write(
  `${JSON.stringify({ feedDelays, screen, reference, requests, failures, feedsConnected })}\n`,
);
