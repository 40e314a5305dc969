import type { CampaignDefinition } from '../../../campaigns/campaign-definition.ts';
import { campaignSounds } from '../../runner/campaign-sounds.ts';
import type { AriProbe } from '../ari/ari-probe.ts';

/**
 * `dialer doctor`: what an operator must know about an Asterisk before a campaign dials on it,
 * each asked of ARI itself (the things issue #11 found only by running calls): ARI reachable with
 * the engine's credentials, the modules a call path needs, the app, the AMD context the dialplan
 * declares, every sound a campaign plays, the agents' endpoints, the trunk and its limits.
 */
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  check: string;
  status: CheckStatus;
  detail: string;
}

export interface DoctorInput {
  probe: AriProbe;
  /** The ARI app the engine registers (ARI_APP). */
  app: string;
  campaigns: ReadonlyArray<{ id: number; definition: CampaignDefinition }>;
  /** Active agents and their phones' endpoints. */
  agents: ReadonlyArray<{ code: string; endpoint: string }>;
  /** Trunk limits configured for the engine (config `trunks`), by trunk name. */
  trunks: Readonly<Record<string, { callsPerSecond: number; maxChannels: number }>>;
}

/**
 * Modules whose absence breaks a call silently rather than at start: without codec_resample a
 * ulaw customer and a slin192 Local agent have no audio path and Asterisk drops the customer out
 * of the bridge; without res_stasis_playback nothing is ever played.
 */
const CALL_PATH_MODULES = [
  'res_stasis_playback',
  'res_ari_sounds',
  'codec_resample',
  'codec_ulaw',
  'format_pcm',
];

/** `PJSIP/{number}@carrier` → `PJSIP/carrier`: the trunk endpoint a template dials through. */
export function trunkEndpointOf(template: string): string | undefined {
  const match = /^PJSIP\/[^@]*@([^/]+)$/.exec(template);
  return match ? `PJSIP/${match[1]}` : undefined;
}

const message = (body: unknown) =>
  typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : '';

export async function runDoctor(input: DoctorInput): Promise<DoctorCheck[]> {
  const { probe } = input;
  const checks: DoctorCheck[] = [];
  const add = (check: string, status: CheckStatus, detail: string) => checks.push({ check, status, detail });

  const info = await probe.get('/asterisk/info');
  if (info.status === 0) {
    add(
      'ari',
      'fail',
      `Asterisk did not answer (${info.error}): is it running, is http.conf enabled on this address?`,
    );
    return checks;
  }
  if (info.status === 401) {
    add('ari', 'fail', 'ARI refused the credentials: ARI_USERNAME / ARI_PASSWORD must be a user of ari.conf');
    return checks;
  }
  if (info.status === 404) {
    add(
      'ari',
      'fail',
      'HTTP answers but ARI is not loaded (404): check modules.conf (res_ari needs res_websocket_client on Asterisk 22) and ari.conf enabled = yes',
    );
    return checks;
  }
  if (info.status !== 200) {
    add('ari', 'fail', `ARI answered ${info.status} to /asterisk/info`);
    return checks;
  }
  const version = (info.body as { system?: { version?: string } } | undefined)?.system?.version ?? 'unknown';
  add('ari', 'ok', `ARI reachable with the credentials (Asterisk ${version})`);

  const needsAmd = input.campaigns.some((c) => c.definition.dialing.amd.enabled);
  const needsPjsip =
    input.campaigns.some((c) => c.definition.dialing.endpointTemplate.startsWith('PJSIP/')) ||
    input.agents.some((a) => a.endpoint.startsWith('PJSIP/'));
  const modules = [
    ...CALL_PATH_MODULES,
    ...(needsAmd ? ['app_amd'] : []),
    ...(needsPjsip ? ['chan_pjsip'] : []),
  ];
  for (const name of modules) {
    // Asterisk 22 wants the file name: `codec_resample` alone answers 409.
    const answer = await probe.get(`/asterisk/modules/${encodeURIComponent(`${name}.so`)}`);
    const status = (answer.body as { status?: string } | undefined)?.status;
    if (answer.status === 200 && status === 'Running') add(`module ${name}`, 'ok', 'running');
    else if (answer.status === 200) add(`module ${name}`, 'fail', `loaded but ${status ?? 'not running'}`);
    else
      add(`module ${name}`, 'fail', `not loaded (${answer.status}): add "load = ${name}.so" to modules.conf`);
  }

  const app = await probe.get(`/applications/${encodeURIComponent(input.app)}`);
  if (app.status === 404) add('app', 'ok', `"${input.app}" is free: this engine will register it`);
  else if (app.status === 200)
    add(
      'app',
      'warn',
      `"${input.app}" is already registered by another connection: ARI gives an app's events to one WebSocket only (give every engine its own ARI_APP)`,
    );
  else add('app', 'warn', `could not ask about the app (${app.status})`);

  // The shipped extensions.conf declares, in [globals], the app its Stasis() calls return to and
  // its AMD context; ARI can read globals but not the dialplan itself.
  const declaredApp = await globalVariable(probe, 'DIALER_STASIS_APP');
  if (declaredApp === undefined || declaredApp === '')
    add(
      'dialplan',
      'warn',
      'extensions.conf declares no DIALER_STASIS_APP in [globals]: not the shipped dialplan, its Stasis() calls are not checked',
    );
  else if (declaredApp === 'DIALER_APP' || declaredApp === input.app)
    add(
      'dialplan',
      'ok',
      `Stasis() in the dialplan returns calls to ${declaredApp === input.app ? `"${input.app}"` : 'the app that originated them (DIALER_APP)'}`,
    );
  else
    add(
      'dialplan',
      'fail',
      `the dialplan's Stasis() calls go to "${declaredApp}", the engine's app is "${input.app}"`,
    );

  const amdContexts = new Set(
    input.campaigns
      .filter((c) => c.definition.dialing.amd.enabled)
      .map((c) => c.definition.dialing.amd.context),
  );
  if (amdContexts.size > 0) {
    const declared =
      (await globalVariable(probe, 'DIALER_AMD_CONTEXTS'))?.split(',').map((s) => s.trim()) ?? [];
    for (const context of amdContexts) {
      if (declared.includes(context))
        add(`amd context ${context}`, 'ok', 'declared by the dialplan (DIALER_AMD_CONTEXTS)');
      else
        add(
          `amd context ${context}`,
          'fail',
          `not in the dialplan's DIALER_AMD_CONTEXTS (${declared.join(',') || 'none'}): calls with AMD would fail at the answer`,
        );
    }
  }

  for (const { id, definition } of input.campaigns) {
    for (const sound of campaignSounds(definition)) {
      const answer = await probe.get(`/sounds/${encodeURIComponent(sound.name)}`);
      const what = `campaign ${id} ${sound.use} sound:${sound.name}`;
      if (answer.status === 404) {
        add(
          what,
          'fail',
          `not installed (${message(answer.body) || '404'}): callers would hear silence; the campaign will not start`,
        );
        continue;
      }
      if (answer.status !== 200) {
        add(what, 'fail', `could not ask (${answer.status || answer.error})`);
        continue;
      }
      const languages = ((answer.body as { formats?: { language: string }[] }).formats ?? []).map(
        (f) => f.language,
      );
      const language = definition.abandon.language;
      if (languages.includes(language)) add(what, 'ok', `installed (${[...new Set(languages)].join(', ')})`);
      else
        add(
          what,
          'warn',
          `installed in ${[...new Set(languages)].join(', ') || 'no language'} but not in ${language}, the campaign's language`,
        );
    }
  }

  for (const agent of input.agents) {
    const [tech, resource] = agent.endpoint.split('/', 2);
    if (tech === 'Local') {
      add(
        `agent ${agent.code}`,
        'ok',
        `${agent.endpoint}: a Local channel (dialplan), not an endpoint ARI lists`,
      );
      continue;
    }
    const answer = await probe.get(
      `/endpoints/${encodeURIComponent(tech ?? '')}/${encodeURIComponent(resource ?? '')}`,
    );
    const state = (answer.body as { state?: string } | undefined)?.state;
    if (answer.status === 200 && state === 'online')
      add(`agent ${agent.code}`, 'ok', `${agent.endpoint} online`);
    else if (answer.status === 200)
      add(
        `agent ${agent.code}`,
        'warn',
        `${agent.endpoint} ${state ?? 'unknown'}: the phone is not registered; login would ring nothing`,
      );
    else
      add(
        `agent ${agent.code}`,
        'fail',
        `${agent.endpoint} does not resolve (${answer.status || answer.error}): no such endpoint in pjsip.conf`,
      );
  }

  for (const { id, definition } of input.campaigns) {
    const trunk = definition.dialing.trunk;
    const limits = input.trunks[trunk];
    if (limits)
      add(
        `campaign ${id} trunk ${trunk}`,
        'ok',
        `limits set: ${limits.callsPerSecond} calls/s, ${limits.maxChannels} channels`,
      );
    else
      add(
        `campaign ${id} trunk ${trunk}`,
        'fail',
        `no limits configured for trunk "${trunk}" (config "trunks" or DIALER_TRUNKS=${trunk}=CPS/CHANNELS): the defaults may exceed the carrier's contract`,
      );
    const endpoint = trunkEndpointOf(definition.dialing.endpointTemplate);
    if (!endpoint) continue;
    const answer = await probe.get(`/endpoints/${endpoint}`);
    if (answer.status === 200) add(`campaign ${id} endpoint ${endpoint}`, 'ok', 'the trunk endpoint exists');
    else
      add(
        `campaign ${id} endpoint ${endpoint}`,
        'fail',
        `the trunk endpoint does not resolve (${answer.status || answer.error}): check pjsip.conf`,
      );
  }
  return checks;
}

async function globalVariable(probe: AriProbe, name: string): Promise<string | undefined> {
  const answer = await probe.get(`/asterisk/variable?variable=${encodeURIComponent(name)}`);
  if (answer.status !== 200) return undefined;
  return (answer.body as { value?: string } | undefined)?.value;
}
