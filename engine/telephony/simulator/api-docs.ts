/**
 * The ARI API description documents ari-client downloads on connect: `resources.json` and the
 * 11 API declarations, in the Swagger 1.1 dialect Asterisk serves (httpMethod, responseClass),
 * trimmed to the operations the adapter and its tests use. `events.json` must declare every
 * event type the simulator sends: ari-client looks the model up by `type` and throws if missing.
 */

type ParamType = 'path' | 'query' | 'body';
/** [name, paramType, dataType, required, allowMultiple] */
type ParamSpec = readonly [string, ParamType, string, boolean?, boolean?];

interface OperationSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  nickname: string;
  responseClass: string;
  params?: readonly ParamSpec[];
  upgrade?: boolean;
}

interface ResourceSpec {
  description: string;
  apis: ReadonlyArray<{ path: string; operations: readonly OperationSpec[] }>;
  models?: Record<string, Record<string, string>>;
}

const channelId: ParamSpec = ['channelId', 'path', 'string', true];
const bridgeId: ParamSpec = ['bridgeId', 'path', 'string', true];
const recordingName: ParamSpec = ['recordingName', 'path', 'string', true];

const originateParams: readonly ParamSpec[] = [
  ['endpoint', 'query', 'string', true],
  ['extension', 'query', 'string'],
  ['context', 'query', 'string'],
  ['priority', 'query', 'long'],
  ['label', 'query', 'string'],
  ['app', 'query', 'string'],
  ['appArgs', 'query', 'string'],
  ['callerId', 'query', 'string'],
  ['timeout', 'query', 'int'],
  ['variables', 'body', 'containers'],
  ['otherChannelId', 'query', 'string'],
  ['originator', 'query', 'string'],
  ['formats', 'query', 'string'],
];

const RESOURCES: Record<string, ResourceSpec> = {
  asterisk: {
    description: 'Asterisk resources',
    apis: [
      {
        path: '/asterisk/info',
        operations: [
          {
            method: 'GET',
            nickname: 'getInfo',
            responseClass: 'AsteriskInfo',
            params: [['only', 'query', 'string', false, true]],
          },
        ],
      },
      {
        path: '/asterisk/ping',
        operations: [{ method: 'GET', nickname: 'ping', responseClass: 'AsteriskPing' }],
      },
    ],
    models: {
      AsteriskInfo: { build: 'BuildInfo', system: 'SystemInfo', config: 'ConfigInfo', status: 'StatusInfo' },
      AsteriskPing: { asterisk_id: 'string', ping: 'string', timestamp: 'string' },
    },
  },
  endpoints: {
    description: 'Endpoint resources',
    apis: [
      {
        path: '/endpoints',
        operations: [{ method: 'GET', nickname: 'list', responseClass: 'List[Endpoint]' }],
      },
    ],
    models: {
      Endpoint: { technology: 'string', resource: 'string', state: 'string', channel_ids: 'List[string]' },
    },
  },
  channels: {
    description: 'Channel resources',
    apis: [
      {
        path: '/channels',
        operations: [
          { method: 'GET', nickname: 'list', responseClass: 'List[Channel]' },
          {
            method: 'POST',
            nickname: 'originate',
            responseClass: 'Channel',
            params: [...originateParams, ['channelId', 'query', 'string']],
          },
        ],
      },
      {
        path: '/channels/create',
        operations: [
          {
            method: 'POST',
            nickname: 'create',
            responseClass: 'Channel',
            params: [
              ['endpoint', 'query', 'string', true],
              ['app', 'query', 'string', true],
              ['appArgs', 'query', 'string'],
              ['channelId', 'query', 'string'],
              ['otherChannelId', 'query', 'string'],
              ['originator', 'query', 'string'],
              ['formats', 'query', 'string'],
              ['variables', 'body', 'containers'],
            ],
          },
        ],
      },
      {
        path: '/channels/{channelId}',
        operations: [
          { method: 'GET', nickname: 'get', responseClass: 'Channel', params: [channelId] },
          {
            method: 'POST',
            nickname: 'originateWithId',
            responseClass: 'Channel',
            params: [channelId, ...originateParams],
          },
          {
            method: 'DELETE',
            nickname: 'hangup',
            responseClass: 'void',
            params: [channelId, ['reason_code', 'query', 'string'], ['reason', 'query', 'string']],
          },
        ],
      },
      {
        path: '/channels/{channelId}/continue',
        operations: [
          {
            method: 'POST',
            nickname: 'continueInDialplan',
            responseClass: 'void',
            params: [
              channelId,
              ['context', 'query', 'string'],
              ['extension', 'query', 'string'],
              ['priority', 'query', 'int'],
              ['label', 'query', 'string'],
            ],
          },
        ],
      },
      {
        path: '/channels/{channelId}/answer',
        operations: [{ method: 'POST', nickname: 'answer', responseClass: 'void', params: [channelId] }],
      },
      {
        path: '/channels/{channelId}/dial',
        operations: [
          {
            method: 'POST',
            nickname: 'dial',
            responseClass: 'void',
            params: [channelId, ['caller', 'query', 'string'], ['timeout', 'query', 'int']],
          },
        ],
      },
      {
        path: '/channels/{channelId}/dtmf',
        operations: [
          {
            method: 'POST',
            nickname: 'sendDTMF',
            responseClass: 'void',
            params: [
              channelId,
              ['dtmf', 'query', 'string'],
              ['before', 'query', 'int'],
              ['between', 'query', 'int'],
              ['duration', 'query', 'int'],
              ['after', 'query', 'int'],
            ],
          },
        ],
      },
      {
        path: '/channels/{channelId}/play',
        operations: [
          {
            method: 'POST',
            nickname: 'play',
            responseClass: 'Playback',
            params: [
              channelId,
              ['media', 'query', 'string', true, true],
              ['lang', 'query', 'string'],
              ['offsetms', 'query', 'int'],
              ['skipms', 'query', 'int'],
              ['playbackId', 'query', 'string'],
            ],
          },
        ],
      },
      {
        path: '/channels/{channelId}/record',
        operations: [
          {
            method: 'POST',
            nickname: 'record',
            responseClass: 'LiveRecording',
            params: [
              channelId,
              ['name', 'query', 'string', true],
              ['format', 'query', 'string', true],
              ['maxDurationSeconds', 'query', 'int'],
              ['maxSilenceSeconds', 'query', 'int'],
              ['ifExists', 'query', 'string'],
              ['beep', 'query', 'boolean'],
              ['terminateOn', 'query', 'string'],
            ],
          },
        ],
      },
      {
        path: '/channels/{channelId}/variable',
        operations: [
          {
            method: 'POST',
            nickname: 'setChannelVar',
            responseClass: 'void',
            params: [channelId, ['variable', 'query', 'string', true], ['value', 'query', 'string']],
          },
        ],
      },
    ],
    models: {
      Channel: {
        id: 'string',
        name: 'string',
        state: 'string',
        protocol_id: 'string',
        caller: 'CallerID',
        connected: 'CallerID',
        accountcode: 'string',
        dialplan: 'DialplanCEP',
        creationtime: 'Date',
        language: 'string',
      },
      CallerID: { name: 'string', number: 'string' },
      DialplanCEP: {
        context: 'string',
        exten: 'string',
        priority: 'long',
        app_name: 'string',
        app_data: 'string',
      },
    },
  },
  bridges: {
    description: 'Bridge resources',
    apis: [
      {
        path: '/bridges',
        operations: [
          { method: 'GET', nickname: 'list', responseClass: 'List[Bridge]' },
          {
            method: 'POST',
            nickname: 'create',
            responseClass: 'Bridge',
            params: [
              ['type', 'query', 'string'],
              ['bridgeId', 'query', 'string'],
              ['name', 'query', 'string'],
            ],
          },
        ],
      },
      {
        path: '/bridges/{bridgeId}',
        operations: [
          {
            method: 'POST',
            nickname: 'createWithId',
            responseClass: 'Bridge',
            params: [['type', 'query', 'string'], bridgeId, ['name', 'query', 'string']],
          },
          { method: 'GET', nickname: 'get', responseClass: 'Bridge', params: [bridgeId] },
          { method: 'DELETE', nickname: 'destroy', responseClass: 'void', params: [bridgeId] },
        ],
      },
      {
        path: '/bridges/{bridgeId}/addChannel',
        operations: [
          {
            method: 'POST',
            nickname: 'addChannel',
            responseClass: 'void',
            params: [
              bridgeId,
              ['channel', 'query', 'string', true, true],
              ['role', 'query', 'string'],
              ['absorbDTMF', 'query', 'boolean'],
              ['mute', 'query', 'boolean'],
              ['inhibitConnectedLineUpdates', 'query', 'boolean'],
            ],
          },
        ],
      },
      {
        path: '/bridges/{bridgeId}/removeChannel',
        operations: [
          {
            method: 'POST',
            nickname: 'removeChannel',
            responseClass: 'void',
            params: [bridgeId, ['channel', 'query', 'string', true, true]],
          },
        ],
      },
      {
        path: '/bridges/{bridgeId}/record',
        operations: [
          {
            method: 'POST',
            nickname: 'record',
            responseClass: 'LiveRecording',
            params: [
              bridgeId,
              ['name', 'query', 'string', true],
              ['format', 'query', 'string', true],
              ['maxDurationSeconds', 'query', 'int'],
              ['maxSilenceSeconds', 'query', 'int'],
              ['ifExists', 'query', 'string'],
              ['beep', 'query', 'boolean'],
              ['terminateOn', 'query', 'string'],
            ],
          },
        ],
      },
    ],
    models: {
      Bridge: {
        id: 'string',
        technology: 'string',
        bridge_type: 'string',
        bridge_class: 'string',
        creator: 'string',
        name: 'string',
        channels: 'List[string]',
        creationtime: 'Date',
        video_mode: 'string',
      },
    },
  },
  recordings: {
    description: 'Recording resources',
    apis: [
      {
        path: '/recordings/stored',
        operations: [{ method: 'GET', nickname: 'listStored', responseClass: 'List[StoredRecording]' }],
      },
      {
        path: '/recordings/stored/{recordingName}',
        operations: [
          { method: 'GET', nickname: 'getStored', responseClass: 'StoredRecording', params: [recordingName] },
          { method: 'DELETE', nickname: 'deleteStored', responseClass: 'void', params: [recordingName] },
        ],
      },
      {
        path: '/recordings/stored/{recordingName}/file',
        operations: [
          { method: 'GET', nickname: 'getStoredFile', responseClass: 'binary', params: [recordingName] },
        ],
      },
      {
        path: '/recordings/live/{recordingName}',
        operations: [
          { method: 'GET', nickname: 'getLive', responseClass: 'LiveRecording', params: [recordingName] },
        ],
      },
      {
        path: '/recordings/live/{recordingName}/stop',
        operations: [{ method: 'POST', nickname: 'stop', responseClass: 'void', params: [recordingName] }],
      },
    ],
    models: {
      StoredRecording: { name: 'string', format: 'string' },
      LiveRecording: {
        name: 'string',
        format: 'string',
        target_uri: 'string',
        state: 'string',
        duration: 'int',
        cause: 'string',
      },
    },
  },
  sounds: {
    description: 'Sound resources',
    apis: [
      { path: '/sounds', operations: [{ method: 'GET', nickname: 'list', responseClass: 'List[Sound]' }] },
      {
        path: '/sounds/{soundId}',
        operations: [
          {
            method: 'GET',
            nickname: 'get',
            responseClass: 'Sound',
            params: [['soundId', 'path', 'string', true]],
          },
        ],
      },
    ],
    models: { Sound: { id: 'string', text: 'string', formats: 'List[FormatLangPair]' } },
  },
  playbacks: {
    description: 'Playback control resources',
    apis: [
      {
        path: '/playbacks/{playbackId}',
        operations: [
          {
            method: 'GET',
            nickname: 'get',
            responseClass: 'Playback',
            params: [['playbackId', 'path', 'string', true]],
          },
          {
            method: 'DELETE',
            nickname: 'stop',
            responseClass: 'void',
            params: [['playbackId', 'path', 'string', true]],
          },
        ],
      },
    ],
    models: {
      Playback: {
        id: 'string',
        media_uri: 'string',
        target_uri: 'string',
        language: 'string',
        state: 'string',
      },
    },
  },
  deviceStates: {
    description: 'Device state resources',
    apis: [
      {
        path: '/deviceStates',
        operations: [{ method: 'GET', nickname: 'list', responseClass: 'List[DeviceState]' }],
      },
    ],
    models: { DeviceState: { name: 'string', state: 'string' } },
  },
  mailboxes: {
    description: 'Mailboxes resources',
    apis: [
      {
        path: '/mailboxes',
        operations: [{ method: 'GET', nickname: 'list', responseClass: 'List[Mailbox]' }],
      },
    ],
    models: { Mailbox: { name: 'string', old_messages: 'int', new_messages: 'int' } },
  },
  events: {
    description: 'WebSocket resource',
    apis: [
      {
        path: '/events',
        operations: [
          {
            method: 'GET',
            nickname: 'eventWebsocket',
            responseClass: 'Message',
            upgrade: true,
            params: [
              ['app', 'query', 'string', true, true],
              ['subscribeAll', 'query', 'boolean'],
            ],
          },
        ],
      },
    ],
  },
  applications: {
    description: 'Stasis application resources',
    apis: [
      {
        path: '/applications',
        operations: [{ method: 'GET', nickname: 'list', responseClass: 'List[Application]' }],
      },
      {
        path: '/applications/{applicationName}',
        operations: [
          {
            method: 'GET',
            nickname: 'get',
            responseClass: 'Application',
            params: [['applicationName', 'path', 'string', true]],
          },
        ],
      },
      {
        path: '/applications/{applicationName}/subscription',
        operations: [
          {
            method: 'POST',
            nickname: 'subscribe',
            responseClass: 'Application',
            params: [
              ['applicationName', 'path', 'string', true],
              ['eventSource', 'query', 'string', true, true],
            ],
          },
          {
            method: 'DELETE',
            nickname: 'unsubscribe',
            responseClass: 'Application',
            params: [
              ['applicationName', 'path', 'string', true],
              ['eventSource', 'query', 'string', true, true],
            ],
          },
        ],
      },
    ],
    models: {
      Application: {
        name: 'string',
        channel_ids: 'List[string]',
        bridge_ids: 'List[string]',
        endpoint_ids: 'List[string]',
        device_names: 'List[string]',
      },
    },
  },
};

/** Every event type the simulator may send, with the properties whose type ari-client promotes. */
export const EVENT_MODELS: Record<string, Record<string, string>> = {
  StasisStart: { args: 'List[string]', channel: 'Channel', replace_channel: 'Channel' },
  StasisEnd: { channel: 'Channel' },
  ChannelCreated: { channel: 'Channel' },
  ChannelDestroyed: { cause: 'int', cause_txt: 'string', channel: 'Channel' },
  ChannelStateChange: { channel: 'Channel' },
  ChannelDialplan: { channel: 'Channel', dialplan_app: 'string', dialplan_app_data: 'string' },
  ChannelVarset: { variable: 'string', value: 'string', channel: 'Channel' },
  ChannelHangupRequest: { cause: 'int', soft: 'boolean', channel: 'Channel' },
  ChannelDtmfReceived: { digit: 'string', duration_ms: 'int', channel: 'Channel' },
  ChannelCallerId: { caller_presentation: 'int', caller_presentation_txt: 'string', channel: 'Channel' },
  ChannelConnectedLine: { channel: 'Channel' },
  ChannelEnteredBridge: { bridge: 'Bridge', channel: 'Channel' },
  ChannelLeftBridge: { bridge: 'Bridge', channel: 'Channel' },
  BridgeCreated: { bridge: 'Bridge' },
  BridgeDestroyed: { bridge: 'Bridge' },
  Dial: {
    caller: 'Channel',
    peer: 'Channel',
    forward: 'string',
    forwarded: 'Channel',
    dialstring: 'string',
    dialstatus: 'string',
  },
  PlaybackStarted: { playback: 'Playback' },
  PlaybackContinuing: { playback: 'Playback' },
  PlaybackFinished: { playback: 'Playback' },
  RecordingStarted: { recording: 'LiveRecording' },
  RecordingFinished: { recording: 'LiveRecording' },
  RecordingFailed: { recording: 'LiveRecording' },
  ApplicationReplaced: {},
};

export type SimEventType = keyof typeof EVENT_MODELS;

export const RESOURCE_NAMES = Object.keys(RESOURCES);

function swaggerModel(id: string, properties: Record<string, string>, extra: Record<string, unknown> = {}) {
  return {
    id,
    ...extra,
    properties: Object.fromEntries(
      Object.entries(properties).map(([name, type]) => [name, { type, required: false }]),
    ),
  };
}

/** `GET /ari/api-docs/resources.json`; basePath follows the request's Host header, as Asterisk does. */
export function resourceListing(host: string) {
  return {
    _copyright: 'Dialer ARI simulator (trimmed from the Asterisk ARI declarations)',
    apiVersion: '10.0.0',
    swaggerVersion: '1.1',
    basePath: `http://${host}/ari`,
    apis: RESOURCE_NAMES.map((name) => ({
      path: `/api-docs/${name}.{format}`,
      description: RESOURCES[name]?.description ?? name,
    })),
  };
}

/** `GET /ari/api-docs/<name>.json`, or undefined for an unknown name. */
export function apiDeclaration(name: string, host: string) {
  const spec = RESOURCES[name];
  if (!spec) return undefined;
  const models: Record<string, unknown> = {};
  for (const [id, props] of Object.entries(spec.models ?? {})) models[id] = swaggerModel(id, props);
  if (name === 'events') {
    models.Message = swaggerModel(
      'Message',
      { type: 'string', asterisk_id: 'string' },
      { subTypes: ['Event'], discriminator: 'type' },
    );
    models.Event = swaggerModel(
      'Event',
      { application: 'string', timestamp: 'Date' },
      { extends: 'Message', subTypes: Object.keys(EVENT_MODELS) },
    );
    for (const [id, props] of Object.entries(EVENT_MODELS))
      models[id] = swaggerModel(id, props, { extends: 'Event' });
  }
  return {
    _copyright: 'Dialer ARI simulator',
    apiVersion: '10.0.0',
    swaggerVersion: '1.1',
    basePath: `http://${host}/ari`,
    resourcePath: `/api-docs/${name}.{format}`,
    apis: spec.apis.map((api) => ({
      path: api.path,
      description: spec.description,
      operations: api.operations.map((op) => ({
        httpMethod: op.method,
        ...(op.upgrade ? { upgrade: 'websocket', websocketProtocol: 'ari' } : {}),
        summary: op.nickname,
        nickname: op.nickname,
        responseClass: op.responseClass,
        parameters: (op.params ?? []).map(([pname, paramType, dataType, required, allowMultiple]) => ({
          name: pname,
          paramType,
          required: required ?? false,
          allowMultiple: allowMultiple ?? false,
          dataType,
        })),
      })),
    })),
    models,
  };
}
