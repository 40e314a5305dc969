import { randomBytes } from 'node:crypto';
import type { DatabaseHandle } from '../../db/connect.ts';
import { findAgentByCode, insertAgent } from '../../db/queries/agents.ts';
import { addUser, findUser, setPasswordHash } from '../../db/queries/users.ts';
import { hashPassword } from '../../engine/access/passwords.ts';
import type { Role } from '../../engine/access/permissions.ts';
import { createAgentService } from '../../engine/agents/agent-service.ts';
import type { Config } from '../../engine/platform/config.ts';
import type { Logger } from '../../engine/platform/logger.ts';
import { manualEngineClock } from '../../engine/runner/engine-clock.ts';
import { createAriTelephony } from '../../engine/telephony/ari/ari-telephony.ts';
import { startAriSimulator } from '../../engine/telephony/simulator/start-ari-simulator.ts';
import { startServe } from '../serve/start-serve.ts';
import { demoEpoch } from './demo-clock.ts';
import { lockstep } from './lockstep.ts';
import { createDemoCampaign, importSample } from './run-demo.ts';
import { ensureSimulatedAgents, SimulatedAgents } from './simulated-agents.ts';

export interface ServeDemoOptions {
  handle: DatabaseHandle;
  config: Config;
  logger: Logger;
  /** The user the demo acts as (creates and starts the campaign). */
  actor: string;
  /** The demo's own admin on a database it made the users of: it adds one user per role. */
  admin?: string;
  agents: number;
  contacts: number;
  seed: number;
  archiveRoot: string;
  listen: { host: string; port: number };
}

export interface SignIn {
  role: Role;
  name: string;
  password: string;
}

export interface ServingDemo {
  url: string;
  campaignId: number;
  /** The extra seat: an agent a person works through the API, as the user `demo-agent`. */
  seat: string;
  signIns: SignIn[];
  stop(): Promise<void>;
}

/** One user per role with a fresh random password (shown once), on the demo's own database. */
async function demoPeople(handle: DatabaseHandle, actor: { name: string; role: Role }): Promise<SignIn[]> {
  const people: SignIn[] = [];
  for (const role of ['admin', 'manager', 'agent', 'compliance_officer', 'qa'] as const) {
    const name = `demo-${role.replace('_', '-')}`;
    if (!(await findUser(handle.db, name))) await addUser(handle.db, { name, role, actor });
    const password = randomBytes(12).toString('base64url');
    await setPasswordHash(handle.db, {
      name,
      passwordHash: await hashPassword(password),
      actor,
      at: new Date(),
    });
    people.push({ role, name, password });
  }
  return people;
}

/**
 * `dialer demo --serve`: the demo campaign running in real time on the simulated Asterisk with its
 * simulated agents, the HTTP API open, and one extra seat (`seat-01`, operated by the user
 * `demo-agent`) that only a person works: log in through the API, take the calls the engine
 * connects, tag them. Runs until stopped.
 */
export async function serveDemo(options: ServeDemoOptions): Promise<ServingDemo> {
  const { handle, logger } = options;
  // Real time at most (a person works the seat), from a moment within US calling hours: the
  // demo's manual time, moved on by lockstep no faster than the wall clock.
  const clock = manualEngineClock(demoEpoch(new Date()).getTime(), { speed: 1 });
  const sim = await startAriSimulator({
    port: 0,
    clock: { shared: clock },
    seed: options.seed,
    agents: { answerDelayMs: 500 },
  });
  const telephony = createAriTelephony({
    url: sim.url,
    username: sim.username,
    password: sim.password,
    app: sim.app,
    logger: logger.child({ part: 'telephony' }),
    clock,
  });
  const signIns = options.admin ? await demoPeople(handle, { name: options.admin, role: 'admin' }) : [];
  const { campaignId, definition } = await createDemoCampaign(handle, options.actor, clock.now(), {
    script: 'Hello, this is Demo Bank calling about your account. Is this a good moment?',
  });
  await importSample(handle, logger, clock, campaignId, options.archiveRoot, options.contacts, options.actor);
  const seat = 'seat-01';
  const seatUser = await findUser(handle.db, 'demo-agent');
  if (!(await findAgentByCode(handle.db, seat))) {
    await insertAgent(handle.db, {
      code: seat,
      name: 'A person at the demo',
      endpoint: `PJSIP/${seat}`,
      ...(seatUser ? { user_id: seatUser.id } : {}),
    });
  }
  const seatRow = await findAgentByCode(handle.db, seat);
  const agentService = createAgentService({ db: handle.db, clock });
  const codes = await ensureSimulatedAgents(handle.db, options.agents);
  const serving = await startServe(
    { handle, config: options.config, logger, clock, telephony, engine: { tickMs: 100 } },
    options.listen,
  );
  const simulated = new SimulatedAgents({
    db: handle.db,
    agents: agentService,
    clock,
    logger,
    campaignId,
    definition,
    seed: options.seed,
    onTagged: () => serving.host?.poke(),
    ...(seatRow ? { leaveAlone: new Set([seatRow.id]) } : {}),
  });
  const time = lockstep({ clock, telephony, simulator: sim }, { maxSpeed: 1 });
  await clock.hold(simulated.login(codes));
  simulated.start(100);
  return {
    url: serving.url,
    campaignId,
    seat,
    signIns,
    async stop() {
      simulated.stop();
      await serving.stop();
      await simulated.finishWrapUps(3000).catch(() => {});
      for (const code of [...codes, seat]) await agentService.logout(code).catch(() => {});
      await time.stop();
      await sim.stop();
    },
  };
}
