import { Agent, request } from 'node:http';
import type { Client } from 'ari-client';
import type { AriChannelJson } from './ari-event.ts';

/**
 * The ARI REST operations the adapter performs, behind one small interface with two transports:
 * - `ari-client`: through swagger-client, as ari-client does it;
 * - `http` (default): the same requests (same paths and parameters as the API declarations
 *   ari-client downloaded) over a keep-alive node:http agent. Measured by `npm run
 *   bench:telephony`, swagger-client costs milliseconds of CPU per request, which queues the
 *   answer → bridge step behind originate bursts; the 2-second rule cannot afford that.
 * ari-client still owns discovery, the event WebSocket and its reconnects.
 */
export interface AriOperations {
  originate(p: {
    endpoint: string;
    channelId: string;
    callerId?: string;
    timeout?: number;
    app?: string;
    appArgs?: string;
    context?: string;
    extension?: string;
    priority?: number;
    variables?: Record<string, string>;
  }): Promise<unknown>;
  getChannel(channelId: string): Promise<unknown>;
  listChannels(): Promise<AriChannelJson[]>;
  hangup(channelId: string, reason?: string): Promise<void>;
  play(channelId: string, media: string[], playbackId: string): Promise<unknown>;
  recordChannel(channelId: string, p: RecordParams): Promise<unknown>;
  createBridge(bridgeId: string, name: string): Promise<unknown>;
  destroyBridge(bridgeId: string): Promise<void>;
  addChannel(bridgeId: string, channelId: string): Promise<void>;
  recordBridge(bridgeId: string, p: RecordParams): Promise<unknown>;
  stopRecording(name: string): Promise<void>;
  subscribe(app: string, eventSource: string): Promise<unknown>;
}

export interface RecordParams {
  name: string;
  format: string;
  maxDurationSeconds: number;
  ifExists: string;
}

export function clientOperations(client: Client): AriOperations {
  return {
    originate: (p) => client.channels.originate(p),
    getChannel: (channelId) => client.channels.get({ channelId }),
    listChannels: async () => (await client.channels.list()) as unknown as AriChannelJson[],
    hangup: (channelId, reason) => client.channels.hangup({ channelId, ...(reason ? { reason } : {}) }),
    play: (channelId, media, playbackId) => client.channels.play({ channelId, media, playbackId }),
    recordChannel: (channelId, p) => client.channels.record({ channelId, ...p }),
    createBridge: (bridgeId, name) => client.bridges.create({ type: 'mixing', bridgeId, name }),
    destroyBridge: (bridgeId) => client.bridges.destroy({ bridgeId }),
    addChannel: (bridgeId, channel) => client.bridges.addChannel({ bridgeId, channel }),
    recordBridge: (bridgeId, p) => client.bridges.record({ bridgeId, ...p }),
    stopRecording: (recordingName) => client.recordings.stop({ recordingName }),
    subscribe: (applicationName, eventSource) =>
      client.applications.subscribe({ applicationName, eventSource }),
  };
}

type Query = Record<string, string | number | undefined>;

export function httpOperations(settings: {
  url: string;
  username: string;
  password: string;
}): AriOperations & {
  close(): void;
} {
  const base = new URL(settings.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const authorization = `Basic ${Buffer.from(`${settings.username}:${settings.password}`).toString('base64')}`;

  /** Rejects like ari-client does: a plain Error whose message is the response body. */
  const call = (method: string, path: string, query: Query = {}, body?: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const search = new URLSearchParams();
      for (const [key, value] of Object.entries(query))
        if (value !== undefined) search.set(key, String(value));
      const qs = search.toString();
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          host: base.hostname,
          port: base.port || 80,
          method,
          path: `/ari${path}${qs ? `?${qs}` : ''}`,
          agent,
          headers: {
            authorization,
            accept: 'application/json',
            ...(payload
              ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if ((res.statusCode ?? 500) >= 300) {
              reject(new Error(text || `HTTP ${res.statusCode}`));
              return;
            }
            resolve(text ? JSON.parse(text) : undefined);
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const id = encodeURIComponent;
  return {
    originate: ({ variables, ...p }) => call('POST', '/channels', p, variables ? { variables } : undefined),
    getChannel: (channelId) => call('GET', `/channels/${id(channelId)}`),
    listChannels: async () => (await call('GET', '/channels')) as AriChannelJson[],
    hangup: async (channelId, reason) => {
      await call('DELETE', `/channels/${id(channelId)}`, { reason });
    },
    play: (channelId, media, playbackId) =>
      call('POST', `/channels/${id(channelId)}/play`, { media: media.join(','), playbackId }),
    recordChannel: (channelId, p) => call('POST', `/channels/${id(channelId)}/record`, { ...p }),
    createBridge: (bridgeId, name) => call('POST', '/bridges', { type: 'mixing', bridgeId, name }),
    destroyBridge: async (bridgeId) => {
      await call('DELETE', `/bridges/${id(bridgeId)}`);
    },
    addChannel: async (bridgeId, channel) => {
      await call('POST', `/bridges/${id(bridgeId)}/addChannel`, { channel });
    },
    recordBridge: (bridgeId, p) => call('POST', `/bridges/${id(bridgeId)}/record`, { ...p }),
    stopRecording: async (name) => {
      await call('POST', `/recordings/live/${id(name)}/stop`);
    },
    subscribe: (app, eventSource) => call('POST', `/applications/${id(app)}/subscription`, { eventSource }),
    close: () => agent.destroy(),
  };
}
