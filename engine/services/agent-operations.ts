import type { Kysely } from 'kysely';
import { findAgentByCode, findAgentByUser } from '../../db/queries/agents.ts';
import { recordAudit } from '../../db/queries/audit.ts';
import type { Database } from '../../db/schema.ts';
import { ForbiddenError } from '../access/errors.ts';
import { decideAgentOperation, type Principal } from '../access/permissions.ts';
import { NotFoundError } from '../platform/errors.ts';

/**
 * May this principal operate the agent `code`? A supervisor any agent, an agent only the one
 * linked to them. `me` names the agent linked to the principal. An unknown code is left to the
 * agent service, which says so (the CLI and the API answer alike).
 */
export async function authorizeAgentOperation(
  db: Kysely<Database>,
  principal: Principal,
  code: string,
): Promise<string> {
  if (code === 'me') {
    const own = await findAgentByUser(db, principal.userId);
    if (!own) throw new NotFoundError('agent of user', principal.name);
    return own.code;
  }
  const agent = await findAgentByCode(db, code);
  if (agent) {
    const decision = decideAgentOperation(principal, agent.user_id);
    if (!decision.allowed) {
      throw new ForbiddenError(principal, decision.permission, decision.needs, `operating agent ${code}`);
    }
  }
  return code;
}

/**
 * Who operated the agent: the outcome itself says `agent:<code>`; a supervisor acting for the
 * agent, or the agent's own user, is named here with the role they acted in.
 */
export async function auditAgentOperation(
  db: Kysely<Database>,
  actor: { name: string; role: string },
  code: string,
  operation: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  await recordAudit(db, {
    actor: actor.name,
    role: actor.role,
    action: `agent.${operation}`,
    subject: `agent:${code}`,
    details,
  });
}
