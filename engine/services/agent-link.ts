import type { Kysely } from 'kysely';
import { type AgentRow, linkAgentUser } from '../../db/queries/agents.ts';
import { recordAudit } from '../../db/queries/audit.ts';
import { findUser } from '../../db/queries/users.ts';
import type { Database } from '../../db/schema.ts';
import { NotFoundError, UserError } from '../platform/errors.ts';

/**
 * Lets a user with the role agent operate one agent (seat), and only that one: the user must
 * exist and be an agent; a user already operating another agent is a conflict. Audited in the
 * same transaction. Used by `dialer agent link` and `PUT /api/agents/:code/user`.
 */
export async function linkAgentToUser(
  db: Kysely<Database>,
  code: string,
  userName: string,
  actor: { name: string; role: string },
): Promise<AgentRow> {
  return db.transaction().execute(async (trx) => {
    const user = await findUser(trx, userName);
    if (!user) throw new NotFoundError('user', userName);
    if (user.role !== 'agent') throw new UserError(`user ${userName} is ${user.role}, not agent`, 'invalid');
    const row = await linkAgentUser(trx as unknown as Kysely<Database>, code, user.id);
    await recordAudit(trx, {
      actor: actor.name,
      role: actor.role,
      action: 'agent.link',
      subject: `agent:${row.id}`,
      details: { user: userName },
    });
    return row;
  });
}
