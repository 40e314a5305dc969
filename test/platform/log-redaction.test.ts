import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgentService } from '../../engine/agents/agent-service.ts';
import { main } from '../../engine/main.ts';
import { createLogger } from '../../engine/platform/logger.ts';
import { maskPhone } from '../../engine/platform/mask-phone.ts';
import { ensureSimulatedAgents } from '../../scripts/demo/simulated-agents.ts';
import { addContacts, runningCampaign } from '../engine/fixtures.ts';
import { simulatedTelephony } from '../engine/simulated-telephony.ts';
import { describeEachDatabase } from '../support/database.ts';
import { originateRequest, type Rig, startRig } from '../telephony/support.ts';

/** A debug-level logger whose JSON lines are kept, as the process logger writes them. */
function capturedLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ pretty: false, destination, level: 'debug' }), text: () => lines.join('') };
}

/** The national digits of a number: what must never appear in a log, however written. */
const nationalDigits = (e164: string) => e164.replace(/\D/g, '').slice(-10);

describe('the ARI adapter originating a call, in the log', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('logs the dial before it goes out with the number masked in the dial string, and never the number', async () => {
    const { logger, text } = capturedLogger();
    rig = await startRig({}, { logger });
    const number = '+8613800000010'; // ends in 0: the simulated callee is busy
    await rig.tel.originate(originateRequest('att-log', number));
    await rig.log.waitFor('hangup', (e) => e.attemptId === 'att-log');
    const originating = text()
      .split('\n')
      .filter((l) => l.includes('"originating"'))
      .map((l) => JSON.parse(l));
    expect(originating).toEqual([
      expect.objectContaining({ attemptId: 'att-log', endpoint: `PJSIP/${maskPhone(number)}@carrier` }),
    ]);
    expect(text()).not.toContain(nationalDigits(number));
  });
});

describeEachDatabase('the runner dialing a number, in the log', (database) => {
  it('shows the masked number under phoneMasked and the full number nowhere, when the originate fails', async () => {
    const { db } = database();
    const { logger, text } = capturedLogger();
    const simulated = await simulatedTelephony(20, { adapter: { logger } });
    const { clock, telephony } = simulated;
    try {
      // An endpoint technology Asterisk does not have: the originate is refused ("Allocation
      // failed") and the runner logs the failure with the call's bindings.
      const { campaign } = await runningCampaign(db, clock.now(), {
        mode: 'progressive',
        dialing: { callerId: '+12125550100', endpointTemplate: 'Bogus/{number}@carrier' },
      });
      await addContacts(db, campaign.id, 1, {
        lastDigit: () => 5,
        nextAttemptAt: new Date(clock.now().getTime() - 60_000),
      });
      const contact = await db
        .selectFrom('contacts')
        .select('phone_e164')
        .where('campaign_id', '=', campaign.id)
        .executeTakeFirstOrThrow();
      const [code] = await ensureSimulatedAgents(db, 1, `log-redaction-${campaign.id}`);
      await createAgentService({ db, clock }).login(code!, campaign.id);
      const engine = await main({ database: database(), telephony, clock, logger }, [campaign.id]);
      try {
        const until = Date.now() + 30_000;
        while (Date.now() < until && !text().includes('"originate failed"')) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } finally {
        await engine.stop();
      }
      const failed = text()
        .split('\n')
        .filter((l) => l.includes('"originate failed"'))
        .map((l) => JSON.parse(l));
      expect(failed.length).toBeGreaterThan(0);
      expect(failed[0]).toMatchObject({ phoneMasked: maskPhone(contact.phone_e164) });
      expect(text()).toContain(`Bogus/${maskPhone(contact.phone_e164)}@carrier`);
      expect(text()).not.toContain(nationalDigits(contact.phone_e164));
    } finally {
      await simulated.stop();
    }
  }, 60_000);
});
