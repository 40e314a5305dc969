import type { Client } from 'ari-client';
import type { AriBridgeJson, AriChannelJson } from './ari-event.ts';

/**
 * The ARI REST operations the adapter performs, behind one small interface so that the rest of
 * the adapter never touches ari-client's swagger-generated methods (or @types/ari-client's
 * parameter shapes). ari-client rejects with a plain Error whose message is the response body;
 * ari-error.ts turns that into a TelephonyError.
 *
 * Measured and rejected: the same requests over a keep-alive node:http agent were no faster
 * than swagger-client once ari-client's lazily loaded modules are warm (bench:telephony).
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
  continueInDialplan(
    channelId: string,
    p: { context: string; extension: string; priority: number },
  ): Promise<void>;
  listChannels(): Promise<AriChannelJson[]>;
  listBridges(): Promise<AriBridgeJson[]>;
  hangup(channelId: string, reason?: string): Promise<void>;
  play(channelId: string, media: string[], playbackId: string): Promise<unknown>;
  recordChannel(channelId: string, p: RecordParams): Promise<unknown>;
  createBridge(bridgeId: string, name: string): Promise<unknown>;
  destroyBridge(bridgeId: string): Promise<void>;
  addChannel(bridgeId: string, channelId: string): Promise<void>;
  getBridge(bridgeId: string): Promise<AriBridgeJson>;
  recordBridge(bridgeId: string, p: RecordParams): Promise<unknown>;
  stopRecording(name: string): Promise<void>;
  getSound(soundId: string): Promise<{ id: string; formats?: { language: string; format: string }[] }>;
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
    continueInDialplan: (channelId, p) => client.channels.continueInDialplan({ channelId, ...p }),
    listChannels: async () => (await client.channels.list()) as unknown as AriChannelJson[],
    listBridges: async () => (await client.bridges.list()) as unknown as AriBridgeJson[],
    hangup: (channelId, reason) => client.channels.hangup({ channelId, ...(reason ? { reason } : {}) }),
    play: (channelId, media, playbackId) => client.channels.play({ channelId, media, playbackId }),
    recordChannel: (channelId, p) => client.channels.record({ channelId, ...p }),
    createBridge: (bridgeId, name) => client.bridges.create({ type: 'mixing', bridgeId, name }),
    destroyBridge: (bridgeId) => client.bridges.destroy({ bridgeId }),
    addChannel: (bridgeId, channel) => client.bridges.addChannel({ bridgeId, channel }),
    getBridge: async (bridgeId) => (await client.bridges.get({ bridgeId })) as unknown as AriBridgeJson,
    recordBridge: (bridgeId, p) => client.bridges.record({ bridgeId, ...p }),
    stopRecording: (recordingName) => client.recordings.stop({ recordingName }),
    getSound: async (soundId) =>
      (await client.sounds.get({ soundId })) as unknown as {
        id: string;
        formats?: { language: string; format: string }[];
      },
  };
}
