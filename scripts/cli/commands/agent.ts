import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { insertAgent, listAgents } from '../../../db/queries/agents.ts';
import { recordAudit } from '../../../db/queries/audit.ts';
import { findUser } from '../../../db/queries/users.ts';
import { createAgentService } from '../../../engine/agents/agent-service.ts';
import { describe as describeState } from '../../../engine/agents/agent-state.ts';
import { systemClock } from '../../../engine/platform/clock.ts';
import { NotFoundError, UsageError, UserError } from '../../../engine/platform/errors.ts';
import { FIELD_LIMITS } from '../../../engine/platform/field-limits.ts';
import { parseOrThrow } from '../../../engine/platform/zod-error.ts';
import { linkAgentToUser } from '../../../engine/services/agent-link.ts';
import { auditAgentOperation, authorizeAgentOperation } from '../../../engine/services/agent-operations.ts';
import type { CliContext } from '../context.ts';
import { parseId } from '../parse-id.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';

const agentInput = z.object({
  code: z
    .string()
    .max(FIELD_LIMITS.code)
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lower-case letters, digits, - and _ (e.g. agent-101)'),
  name: z.string().min(1, 'is required').max(FIELD_LIMITS.name),
  endpoint: z
    .string()
    .max(FIELD_LIMITS.reference)
    .regex(/^[A-Za-z]+\/\S+$/, 'must be an Asterisk endpoint such as PJSIP/agent-101'),
});

/**
 * The agent service, once the acting user may operate this agent (engine/services/agent-operations.ts).
 */
async function service(ctx: CliContext, code: string) {
  const { db } = await ctx.database();
  await authorizeAgentOperation(db, ctx.principal, code);
  return createAgentService({ db, clock: systemClock });
}

async function auditOperation(
  ctx: CliContext,
  code: string,
  operation: string,
  details: Record<string, unknown> = {},
) {
  const { db } = await ctx.database();
  await auditAgentOperation(db, ctx.auditActor, code, operation, details);
}

/** The user an agent is linked to, by name; must exist and hold the agent role. */
async function agentUser(ctx: CliContext, name: string) {
  const { db } = await ctx.database();
  const user = await findUser(db, name);
  if (!user) throw new NotFoundError('user', name);
  if (user.role !== 'agent') throw new UserError(`user ${name} is ${user.role}, not agent`, 'invalid');
  return user;
}

/** `--data '{"amount":120}'`, `--data @file.json`, or key=value pairs after the tag. */
export function outcomeInput(
  tag: string,
  pairs: string[],
  data: string | undefined,
): Record<string, unknown> {
  let fields: Record<string, unknown> = {};
  if (data) {
    const text = data.startsWith('@') ? readFileSync(data.slice(1), 'utf8') : data;
    try {
      fields = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new UsageError(`--data is not valid JSON: ${(error as Error).message}`);
    }
  }
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1) throw new UsageError(`expected key=value, got "${pair}"`);
    const key = pair.slice(0, at);
    const raw = pair.slice(at + 1);
    fields[key] =
      raw !== '' && !Number.isNaN(Number(raw))
        ? Number(raw)
        : raw === 'true'
          ? true
          : raw === 'false'
            ? false
            : raw;
  }
  return { ...fields, tag };
}

export function registerAgentCommands(program: Command, contextFor: ContextFactory): void {
  const agent = program.command('agent').description('agents: log in, take calls, tag outcomes');

  agent
    .command('add')
    .description('register an agent and the phone the engine calls at login')
    .argument('<code>', 'short code, e.g. agent-101')
    .requiredOption('--name <name>', 'the agent’s name')
    .requiredOption('--endpoint <endpoint>', 'the agent’s phone, e.g. PJSIP/agent-101')
    .option('--user <name>', 'the user (role agent) who operates this agent')
    .action(
      action(
        contextFor,
        'agent.add',
        async (ctx, code: string, opts: { name: string; endpoint: string; user?: string }) => {
          const input = parseOrThrow(agentInput, { code, name: opts.name, endpoint: opts.endpoint }, 'agent');
          const user = opts.user ? await agentUser(ctx, opts.user) : undefined;
          const { db } = await ctx.database();
          const row = await insertAgent(db, { ...input, ...(user ? { user_id: user.id } : {}) });
          await recordAudit(db, {
            ...ctx.audit,
            action: 'agent.add',
            subject: `agent:${row.id}`,
            details: { ...input, user: user?.name ?? null },
          });
          ctx.out.result(row, () => ctx.out.line(`agent ${row.id} "${row.code}" added (${row.endpoint})`));
        },
      ),
    );

  agent
    .command('link')
    .description('let a user (role agent) operate this agent, and only this one')
    .argument('<code>', 'agent code')
    .argument('<user>', 'user name')
    .action(
      action(contextFor, 'agent.add', async (ctx, code: string, name: string) => {
        const { db } = await ctx.database();
        const row = await linkAgentToUser(db, code, name, ctx.auditActor);
        ctx.out.result(row, () => ctx.out.line(`agent ${row.code} is operated by ${name}`));
      }),
    );

  agent
    .command('list')
    .description('list agents and their current state')
    .action(
      action(contextFor, 'agent.read', async (ctx) => {
        const { db } = await ctx.database();
        const svc = createAgentService({ db, clock: systemClock });
        const rows: Record<string, unknown>[] = [];
        for (const a of await listAgents(db)) {
          const status = await svc.status(a.code);
          rows.push({
            id: a.id,
            code: a.code,
            name: a.name,
            endpoint: a.endpoint,
            campaign: status.session?.campaign_id ?? null,
            state: status.state.kind,
            detail: describeState(status.state),
          });
        }
        ctx.out.result(rows, () =>
          ctx.out.table(rows, ['id', 'code', 'name', 'endpoint', 'campaign', 'detail']),
        );
      }),
    );

  agent
    .command('login')
    .description(
      'log in to a campaign; the engine running it calls your phone, you are ready once you answer',
    )
    .argument('<code>', 'agent code')
    .requiredOption('--campaign <id>', 'campaign id')
    .action(
      action(contextFor, 'authenticated', async (ctx, code: string, opts: { campaign: string }) => {
        const result = await (await service(ctx, code)).login(code, parseId(opts.campaign, 'campaign id'));
        await auditOperation(ctx, code, 'login', { campaignId: result.session.campaign_id });
        ctx.out.result({ agent: code, session: result.session.id, state: result.state }, () =>
          ctx.out.line(
            `agent ${code} logging in to campaign ${opts.campaign}: answer your phone (${result.agent.endpoint})`,
          ),
        );
      }),
    );

  const simple = (name: 'ready' | 'logout', description: string) =>
    agent
      .command(name)
      .description(description)
      .argument('<code>', 'agent code')
      .action(
        action(contextFor, 'authenticated', async (ctx, code: string) => {
          const applied = await (await service(ctx, code))[name](code);
          await auditOperation(ctx, code, name);
          ctx.out.result({ agent: code, state: applied.state }, () =>
            ctx.out.line(
              `agent ${code}: ${describeState(applied.state)}${applied.state.kind === 'on_call' || applied.state.kind === 'wrap_up' ? ` (then ${applied.state.after.kind})` : ''}`,
            ),
          );
        }),
      );
  simple('ready', 'take calls (again)');
  simple('logout', 'log out (after the current call and its outcome)');

  agent
    .command('pause')
    .description('stop taking calls, with a reason (after the current call and its outcome)')
    .argument('<code>', 'agent code')
    .requiredOption('--reason <reason>', 'why, e.g. break, training')
    .action(
      action(contextFor, 'authenticated', async (ctx, code: string, opts: { reason: string }) => {
        const applied = await (await service(ctx, code)).pause(code, opts.reason);
        await auditOperation(ctx, code, 'pause', { reason: opts.reason });
        ctx.out.result({ agent: code, state: applied.state }, () =>
          ctx.out.line(`agent ${code}: ${describeState(applied.state)}`),
        );
      }),
    );

  agent
    .command('tag')
    .description(
      'record the outcome of the call in wrap-up, e.g. `tag agent-101 promise_to_pay amount=120 date=2026-12-01`',
    )
    .argument('<code>', 'agent code')
    .argument(
      '<outcome>',
      'outcome tag (depends on the campaign type; opt_out, callback, wrong_number everywhere)',
    )
    .argument('[fields...]', 'key=value fields of the outcome')
    .option('--data <json>', 'the outcome fields as JSON (or @file.json)')
    .action(
      action(
        contextFor,
        'authenticated',
        async (ctx, code: string, tag: string, fields: string[], opts: { data?: string }) => {
          const result = await (await service(ctx, code)).tagOutcome(
            code,
            outcomeInput(tag, fields, opts.data),
          );
          await auditOperation(ctx, code, 'tag', { tag: result.outcome.tag });
          ctx.out.result(result, () => {
            const d = result.decision;
            ctx.out.line(
              `outcome ${result.outcome.tag} recorded; contact ${d.final ? `is ${d.status}` : `retried at ${d.nextAttemptAt?.toISOString()}`}${d.optOut ? ' (number added to the internal do-not-call list)' : ''}; agent ${describeState(result.state)}`,
            );
          });
        },
      ),
    );

  agent
    .command('callback')
    .description('outcome of the call in wrap-up: call this person back at a time (yours unless --anyone)')
    .argument('<code>', 'agent code')
    .requiredOption('--at <time>', 'ISO date-time, e.g. 2026-11-26T15:00:00Z')
    .option('--anyone', 'any agent may take it')
    .option('--note <text>', 'note for whoever calls back')
    .action(
      action(
        contextFor,
        'authenticated',
        async (ctx, code: string, opts: { at: string; anyone?: boolean; note?: string }) => {
          const at = new Date(opts.at);
          if (Number.isNaN(at.getTime()))
            throw new UsageError(`--at must be an ISO date-time, got "${opts.at}"`);
          const result = await (await service(ctx, code)).scheduleCallback(code, at, {
            personal: !opts.anyone,
            ...(opts.note ? { note: opts.note } : {}),
          });
          await auditOperation(ctx, code, 'callback', { at: at.toISOString() });
          // The gate may have moved it (outside calling hours, a frequency rule): say when it is.
          const due = result.decision.callback?.dueAt ?? at;
          ctx.out.result(result, () =>
            ctx.out.line(
              `callback at ${due.toISOString()} scheduled${due.getTime() !== at.getTime() ? ` (asked ${at.toISOString()}; moved by the compliance gate)` : ''}; agent ${describeState(result.state)}`,
            ),
          );
        },
      ),
    );

  for (const [name, description] of [
    ['accept', 'preview mode: dial the lead on your screen'],
    ['skip', 'preview mode: put the lead back and get another'],
  ] as const) {
    agent
      .command(name)
      .description(description)
      .argument('<code>', 'agent code')
      .action(
        action(contextFor, 'authenticated', async (ctx, code: string) => {
          const svc = await service(ctx, code);
          const result = name === 'accept' ? await svc.acceptPreview(code) : await svc.skipPreview(code);
          await auditOperation(ctx, code, name, { contactId: result.contactId });
          ctx.out.result(result, () =>
            ctx.out.line(
              `agent ${code}: lead ${result.contactId} ${name === 'accept' ? 'accepted' : 'skipped'}`,
            ),
          );
        }),
      );
  }

  agent
    .command('status')
    .description('the agent’s state (and the masked lead on preview)')
    .argument('<code>', 'agent code')
    .action(
      action(contextFor, 'agent.read', async (ctx, code: string) => {
        const { db } = await ctx.database();
        const status = await createAgentService({ db, clock: systemClock }).status(code);
        if (!status.session) throw new UserError(`agent "${code}" is not logged in`, 'not_logged_in');
        ctx.out.result({ agent: code, campaign: status.session.campaign_id, state: status.state }, () =>
          ctx.out.line(
            `agent ${code} on campaign ${status.session?.campaign_id}: ${describeState(status.state)}`,
          ),
        );
      }),
    );
}
