/**
 * The raw ARI events the adapter reads, typed by us: @types/ari-client lacks some and mistypes
 * multi-resource events such as `Dial`. These types never leave engine/telephony/ari/.
 */
export interface AriChannelJson {
  id: string;
  name: string;
  state: string;
  dialplan?: { context: string; exten: string; priority: number; app_name: string; app_data: string };
}

export interface AriBridgeJson {
  id: string;
  /** Ids of the channels in the bridge. */
  channels: string[];
}

interface Base {
  timestamp?: string;
  application?: string;
}

export type AriEvent = Base &
  (
    | { type: 'Dial'; dialstatus: string; peer: AriChannelJson }
    | { type: 'ChannelStateChange'; channel: AriChannelJson }
    | { type: 'StasisStart'; args: string[]; channel: AriChannelJson }
    | { type: 'StasisEnd'; channel: AriChannelJson }
    | { type: 'ChannelHangupRequest'; cause?: number; soft?: boolean; channel: AriChannelJson }
    | { type: 'ChannelDestroyed'; cause: number; cause_txt: string; channel: AriChannelJson }
    | { type: 'ChannelDtmfReceived'; digit: string; channel: AriChannelJson }
    | { type: 'ChannelEnteredBridge'; bridge: { id: string }; channel: AriChannelJson }
    | { type: 'ChannelLeftBridge'; bridge: { id: string }; channel: AriChannelJson }
    | { type: 'PlaybackStarted' | 'PlaybackFinished'; playback: { id: string; state: string } }
    | {
        type: 'RecordingStarted' | 'RecordingFinished' | 'RecordingFailed';
        recording: { name: string; target_uri: string; duration?: number; state: string; cause?: string };
      }
    | { type: 'ApplicationReplaced' }
    | { type: 'Other' }
  );
