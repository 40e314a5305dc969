import { Writable } from 'node:stream';
import pino from 'pino';
import { expect, it } from 'vitest';
import { createAgentService } from '../../engine/agents/agent-service.ts';
import type { AgentEvent } from '../../engine/agents/agent-state.ts';
import { AgentPool, type PooledAgent } from '../../engine/runner/agent-pool.ts';
import { systemEngineClock } from '../../engine/runner/engine-clock.ts';
import type { TelephonyPort } from '../../engine/telephony/port.ts';
import { ensureSimulatedAgents } from '../../scripts/demo/simulated-agents.ts';
import { describeEachDatabase } from '../support/database.ts';
import { failUpdates } from '../support/database-faults.ts';
import { waitFor } from './engine-process.ts';
import { addContacts, runningCampaign } from './fixtures.ts';

/** Every line the logger writes, parsed. */
function capturedLogger() {
  const lines: Array<Record<string, unknown> & { level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** Phones that always answer: the pool only needs the agent's leg up. */
const answeringPhones = {
  loginAgent: async (request: { agentId: string }) => ({
    agentId: request.agentId,
    channelId: `agent-${request.agentId}`,
    bridgeId: `bridge-${request.agentId}`,
  }),
  logoutAgent: async () => {},
} as unknown as TelephonyPort;

const FAST_RETRY = { attempts: 3, firstDelayMs: 1, maxDelayMs: 1 };

describeEachDatabase('the agent pool when the database fails', (database) => {
  async function poolWithReservedAgent() {
    const { db } = database();
    const clock = systemEngineClock();
    const { campaign } = await runningCampaign(db, clock.now());
    const [contactId] = await addContacts(db, campaign.id, 1);
    const [code] = await ensureSimulatedAgents(db, 1, `pool-errors-${campaign.id}`);
    await createAgentService({ db, clock }).login(code!, campaign.id);
    const { logger, lines } = capturedLogger();
    const lost: AgentEvent[] = [];
    const pool = new AgentPool(
      {
        db,
        telephony: answeringPhones,
        clock,
        logger,
        engineId: 'pool-test',
        campaignId: campaign.id,
        wrapUpSeconds: 30,
        callerId: '+12125550100',
        retry: FAST_RETRY,
      },
      {
        wrapUpTimedOut: () => {},
        wrapUpEnded: () => {},
        agentEventLost: (_agent, event) => lost.push(event),
      },
    );
    await pool.sync();
    await waitFor(async () => pool.all()[0]?.state.kind === 'ready', 10_000, 'the agent to be ready');
    const agent = pool.all()[0] as PooledAgent;
    const reserved = await pool.tryApply(agent, {
      type: 'reserve',
      attemptId: 'att-1',
      contactId: contactId!,
    });
    expect(reserved?.state.kind).toBe('reserved');
    return { db, pool, agentId: agent.agentId, lines, lost };
  }

  it('retries an event through database faults, logging each with its error, and the agent is released', async () => {
    const { db, pool, agentId, lines, lost } = await poolWithReservedAgent();
    const fault = await failUpdates(db, { table: 'agent_sessions', times: 2 });
    try {
      const applied = await pool.tryApply(pool.get(agentId)!, { type: 'release' });
      expect(applied?.state.kind).toBe('ready');
      expect(pool.get(agentId)?.state.kind).toBe('ready');
      expect(await fault.met()).toBe(3);
      const retries = lines.filter((l) => l.msg === 'agent event failed; retrying');
      expect(retries).toHaveLength(2);
      // The error itself, with its code and stack, not only its message.
      const err = retries[0]?.err as { code?: string; stack?: string };
      expect(err.code).toBe('57P01');
      expect(err.stack).toContain('injected fault');
      expect(lost).toEqual([]);
    } finally {
      await fault.remove();
    }
  });

  it('tells the runner about an event the database keeps refusing, and never throws', async () => {
    const { db, pool, agentId, lines, lost } = await poolWithReservedAgent();
    const fault = await failUpdates(db, { table: 'agent_sessions', times: 1000 });
    try {
      const applied = await pool.tryApply(pool.get(agentId)!, { type: 'release' });
      expect(applied).toBeUndefined();
      expect(lost).toEqual([{ type: 'release' }]);
      expect(await fault.met()).toBe(FAST_RETRY.attempts);
      const final = lines.find((l) => l.msg === 'agent event failed; the database stays unavailable');
      expect(final?.level).toBe(50);
      expect((final?.err as { code?: string } | undefined)?.code).toBe('57P01');
    } finally {
      await fault.remove();
    }
  });

  it('keeps a refused event (a lost race) quiet at debug level, without retrying it', async () => {
    const { db, pool, agentId, lines, lost } = await poolWithReservedAgent();
    const fault = await failUpdates(db, { table: 'agent_sessions', times: 1000 });
    try {
      // The agent is reserved, not on a call: ending a call is refused by the state machine.
      const applied = await pool.tryApply(pool.get(agentId)!, { type: 'call_ended', attemptId: 'att-9' });
      expect(applied).toBeUndefined();
      expect(await fault.met()).toBe(0);
      expect(lost).toEqual([]);
      const refused = lines.filter((l) => l.msg === 'agent event refused');
      expect(refused.map((l) => l.level)).toEqual([20]);
      expect((refused[0]?.err as { type?: string } | undefined)?.type).toBe('ConflictError');
      expect(lines.filter((l) => l.level >= 40)).toEqual([]);
    } finally {
      await fault.remove();
    }
  });
});
