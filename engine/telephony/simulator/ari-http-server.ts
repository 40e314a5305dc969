import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { apiDeclaration, resourceListing } from './api-docs.ts';
import { type SimAsterisk, SimBinaryReply, SimHttpError } from './sim-asterisk.ts';

/**
 * HTTP + WebSocket front of the simulator, speaking the ARI wire format: Basic auth or
 * `api_key=user:pass`, query-string parameters (lists comma-separated, as swagger-client sends
 * them), JSON bodies for `variables`, error bodies `{"message": ...}`, events as JSON text frames
 * on `/ari/events?app=...`.
 */

type Query = Record<string, string | undefined>;
type Handler = (sim: SimAsterisk, params: string[], q: Query, body: Record<string, unknown>) => unknown;

const list = (value: string | undefined) => (value ? value.split(',').filter((v) => v !== '') : []);

const ROUTES: Array<[string, RegExp, Handler]> = [
  ['GET', /^\/asterisk\/info$/, () => ({ system: { version: '22.10.1-sim', entity_id: 'sim' } })],
  [
    'GET',
    /^\/asterisk\/ping$/,
    () => ({ asterisk_id: 'sim', ping: 'pong', timestamp: new Date().toISOString() }),
  ],
  ['GET', /^\/asterisk\/modules\/([^/]+)$/, (s, [name]) => s.moduleJson(name as string)],
  ['GET', /^\/asterisk\/variable$/, (s, _p, q) => s.globalVariable(q.variable)],
  ['GET', /^\/endpoints$/, () => []],
  [
    'GET',
    /^\/endpoints\/([^/]+)\/([^/]+)$/,
    (s, [tech, resource]) => s.endpointJson(tech as string, resource as string),
  ],
  ['GET', /^\/sounds$/, () => []],
  ['GET', /^\/sounds\/([^/]+)$/, (s, [name]) => s.getSound(name as string)],
  ['GET', /^\/deviceStates$/, () => []],
  ['GET', /^\/mailboxes$/, () => []],
  ['GET', /^\/channels$/, (s) => s.listChannels()],
  ['POST', /^\/channels$/, (s, _p, q, body) => s.originate(q, undefined, body)],
  ['POST', /^\/channels\/create$/, (s, _p, q) => s.create(q)],
  ['GET', /^\/channels\/([^/]+)$/, (s, [id]) => s.getChannel(id as string)],
  ['POST', /^\/channels\/([^/]+)$/, (s, [id], q, body) => s.originate(q, id, body)],
  ['DELETE', /^\/channels\/([^/]+)$/, (s, [id], q) => s.hangupRequest(id as string, q)],
  ['POST', /^\/channels\/([^/]+)\/continue$/, (s, [id], q) => s.continueInDialplan(id as string, q)],
  ['POST', /^\/channels\/([^/]+)\/answer$/, (s, [id]) => s.answerRequest(id as string)],
  ['POST', /^\/channels\/([^/]+)\/dial$/, (s, [id], q) => s.dial(id as string, q)],
  ['POST', /^\/channels\/([^/]+)\/dtmf$/, (s, [id]) => s.sendDtmf(id as string)],
  ['POST', /^\/channels\/([^/]+)\/variable$/, (s, [id]) => s.setVariable(id as string)],
  ['POST', /^\/channels\/([^/]+)\/play$/, (s, [id], q) => s.play(id as string, list(q.media), q.playbackId)],
  ['POST', /^\/channels\/([^/]+)\/record$/, (s, [id], q) => s.recordChannel(id as string, q)],
  ['GET', /^\/bridges$/, (s) => s.listBridges()],
  ['POST', /^\/bridges$/, (s, _p, q) => s.createBridge(q)],
  ['POST', /^\/bridges\/([^/]+)$/, (s, [id], q) => s.createBridge(q, id)],
  ['GET', /^\/bridges\/([^/]+)$/, (s, [id]) => s.getBridge(id as string)],
  ['DELETE', /^\/bridges\/([^/]+)$/, (s, [id]) => s.destroyBridge(id as string)],
  ['POST', /^\/bridges\/([^/]+)\/addChannel$/, (s, [id], q) => s.addChannels(id as string, list(q.channel))],
  [
    'POST',
    /^\/bridges\/([^/]+)\/removeChannel$/,
    (s, [id], q) => s.removeChannels(id as string, list(q.channel)),
  ],
  ['POST', /^\/bridges\/([^/]+)\/record$/, (s, [id], q) => s.recordBridge(id as string, q)],
  ['GET', /^\/playbacks\/([^/]+)$/, (s, [id]) => s.getPlayback(id as string)],
  ['DELETE', /^\/playbacks\/([^/]+)$/, (s, [id]) => s.stopPlayback(id as string)],
  ['GET', /^\/recordings\/stored$/, (s) => s.listStoredRecordings()],
  ['GET', /^\/recordings\/stored\/([^/]+)$/, (s, [n]) => s.getStoredRecording(n as string)],
  ['DELETE', /^\/recordings\/stored\/([^/]+)$/, (s, [n]) => s.deleteStoredRecording(n as string)],
  ['GET', /^\/recordings\/stored\/([^/]+)\/file$/, (s, [n]) => s.getStoredRecordingFile(n as string)],
  ['GET', /^\/recordings\/live\/([^/]+)$/, (s, [n]) => s.getLiveRecording(n as string)],
  ['POST', /^\/recordings\/live\/([^/]+)\/stop$/, (s, [n]) => s.stopRecording(n as string)],
  ['GET', /^\/applications\/([^/]+)$/, (s, [app]) => s.applicationJson(app as string)],
  [
    'POST',
    /^\/applications\/([^/]+)\/subscription$/,
    (s, [app], q) => s.subscribe(app as string, list(q.eventSource)),
  ],
];

/** A fault: the next `remaining` requests of `method` on `path` (after /ari) get no reply. */
export interface WithheldReplies {
  method: string;
  path: RegExp;
  remaining: number;
  /** Whether the request is carried out all the same (Asterisk acted, the answer was lost). */
  carryOut: boolean;
}

export interface AriHttpServerOptions {
  username: string;
  password: string;
  /** The current simulated Asterisk (replaced on restart). */
  sim: () => SimAsterisk;
  onRequest?: () => void;
  /** Called for every event frame written to a WebSocket (the adapter counts the ones it read). */
  onFrame?: () => void;
}

export class AriHttpServer {
  readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Map<string, Set<WebSocket>>();
  private readonly raw = new Map<WebSocket, Duplex>();
  /**
   * While Asterisk is "loading" after a start (res_ari not loaded yet), every /ari request
   * answers 404 with Asterisk's HTML page and /ari/events refuses the upgrade with 404 (traces
   * asterisk_restart_while_connected, originate_while_asterisk_down).
   */
  loading = false;
  /** Requests that get no reply (see AriSimulator.withholdReplies). */
  readonly withheld: WithheldReplies[] = [];

  constructor(private readonly o: AriHttpServerOptions) {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    this.server.keepAliveTimeout = 30_000;
  }

  isAppRegistered(app: string): boolean {
    return (this.sockets.get(app)?.size ?? 0) > 0;
  }

  deliver(app: string, event: Record<string, unknown>): void {
    const sockets = this.sockets.get(app);
    if (!sockets || sockets.size === 0) return;
    const text = JSON.stringify(event);
    for (const ws of sockets) {
      if (ws.readyState !== ws.OPEN) continue;
      ws.send(text);
      this.o.onFrame?.();
    }
  }

  webSocketCount(): number {
    let n = 0;
    for (const set of this.sockets.values()) n += set.size;
    return n;
  }

  /**
   * Leaves every event WebSocket open but silent in both directions (no events, no pongs),
   * like a half-open TCP connection after a NAT or firewall forgot it. ari-client cannot see it.
   */
  freezeWebSockets(): void {
    for (const set of this.sockets.values()) {
      for (const ws of set) this.raw.get(ws)?.pause();
    }
    this.sockets.clear();
  }

  /** Cuts every event WebSocket abruptly (no close frame), like a network drop. */
  dropWebSockets(): void {
    for (const set of this.sockets.values()) for (const ws of set) ws.terminate();
    this.sockets.clear();
  }

  private authorized(req: IncomingMessage, url: URL): boolean {
    const expected = `${this.o.username}:${this.o.password}`;
    const header = req.headers.authorization;
    if (header?.startsWith('Basic ')) {
      return Buffer.from(header.slice(6), 'base64').toString('utf8') === expected;
    }
    return url.searchParams.get('api_key') === expected;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.o.onRequest?.();
    const host = req.headers.host ?? '127.0.0.1';
    const url = new URL(req.url ?? '/', `http://${host}`);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = url.pathname;
      if (this.loading && path.startsWith('/ari/')) return sendNotFoundPage(res);
      if (path === '/ari/api-docs/resources.json') return send(res, 200, resourceListing(host));
      const doc = /^\/ari\/api-docs\/([A-Za-z]+)\.json$/.exec(path);
      if (doc?.[1]) {
        const declaration = apiDeclaration(doc[1], host);
        return declaration ? send(res, 200, declaration) : send(res, 404, { message: 'Resource not found' });
      }
      if (!path.startsWith('/ari/')) return send(res, 404, { message: 'Not found' });
      if (!this.authorized(req, url)) return send(res, 401, { message: 'Authentication required' });
      const method = req.method ?? 'GET';
      const sub = path.slice(4);
      const q: Query = {};
      for (const [k, v] of url.searchParams) q[k] = v;
      let body: Record<string, unknown> = {};
      if (chunks.length > 0) {
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          return send(res, 400, { message: 'Malformed JSON body' });
        }
      }
      let pathMatched = false;
      for (const [m, pattern, handler] of ROUTES) {
        const match = pattern.exec(sub);
        if (!match) continue;
        pathMatched = true;
        if (m !== method) continue;
        const fault = this.withheld.find((w) => w.remaining > 0 && w.method === method && w.path.test(sub));
        if (fault) {
          // Asterisk slow or gone: no reply ever comes (ari-client's promise never settles),
          // though the request may have been carried out.
          fault.remaining -= 1;
          if (fault.carryOut) {
            try {
              handler(
                this.o.sim(),
                match.slice(1).map((p) => decodeURIComponent(p)),
                q,
                body,
              );
            } catch {
              // the reply that would have said so is withheld too
            }
          }
          return;
        }
        try {
          const params = match.slice(1).map((p) => decodeURIComponent(p));
          const result = handler(this.o.sim(), params, q, body);
          if (result === undefined) {
            res.writeHead(204);
            res.end();
          } else if (result instanceof SimBinaryReply) {
            res.writeHead(200, { 'Content-Type': result.contentType, 'Content-Length': result.body.length });
            res.end(result.body);
          } else send(res, 200, result);
        } catch (error) {
          if (error instanceof SimHttpError) send(res, error.status, error.body);
          else send(res, 500, { message: String(error) });
        }
        return;
      }
      send(res, pathMatched ? 405 : 404, { message: pathMatched ? 'Invalid method' : 'Not found' });
    });
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    if (url.pathname !== '/ari/events' || this.loading) {
      refuse(404, 'Not Found');
      return;
    }
    if (!this.authorized(req, url)) {
      refuse(401, 'Unauthorized');
      return;
    }
    const apps = (url.searchParams.get('app') ?? '').split(',').filter((a) => a !== '');
    if (apps.length === 0) {
      refuse(400, 'Bad Request');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.raw.set(ws, socket);
      socket.once('close', () => this.raw.delete(ws));
      for (const app of apps) {
        const set = this.sockets.get(app) ?? new Set();
        set.add(ws);
        this.sockets.set(app, set);
      }
      ws.on('close', () => {
        for (const app of apps) this.sockets.get(app)?.delete(ws);
      });
      ws.on('error', () => ws.terminate());
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  close(): Promise<void> {
    this.dropWebSockets();
    // Frozen sockets are no longer in `sockets`; the server would wait for them forever.
    for (const socket of this.raw.values()) socket.destroy();
    this.raw.clear();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** Asterisk's HTTP server's own 404 page, as GET /ari/asterisk/info got it while ARI loaded. */
const NOT_FOUND_PAGE =
  '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\r\n<html><head>\r\n<title>404 Not Found</title>\r\n' +
  '</head><body>\r\n<h1>Not Found</h1>\r\n<p>The requested URL was not found on this server.</p>\r\n' +
  '<hr />\r\n<address>Asterisk/22.10.1</address>\r\n</body></html>\r\n';

function sendNotFoundPage(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(NOT_FOUND_PAGE) });
  res.end(NOT_FOUND_PAGE);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
