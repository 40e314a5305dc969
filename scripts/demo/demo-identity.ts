import type { Kysely } from 'kysely';
import { addUser, bootstrapAdmin } from '../../db/queries/users.ts';
import type { Database } from '../../db/schema.ts';
import { generateToken, hashToken } from '../../engine/access/tokens.ts';

/** The demo's own users: an admin (the bootstrap) and the manager who runs the campaign. */
export interface DemoIdentity {
  /** Who the demo acts as: creates the campaign, imports the list, starts it. */
  readonly manager: string;
  readonly admin: string;
  /** The admin's token, for looking into a kept demo database (--data-dir); shown once. */
  readonly adminToken: string;
}

/**
 * On a database without users (the demo's throwaway one, or a new --data-dir), the demo makes
 * its own: it bootstraps `demo-admin`, who adds `demo-manager`, each with a token that expires
 * within a day. Everything the demo does is audited as demo-manager, as any run would be.
 */
export async function createDemoIdentity(db: Kysely<Database>, now = new Date()): Promise<DemoIdentity> {
  const expiresAt = new Date(now.getTime() + 86_400_000);
  const adminToken = generateToken();
  const admin = await bootstrapAdmin(db, 'demo-admin', {
    tokenHash: hashToken(adminToken),
    expiresAt,
    name: 'demo',
  });
  const manager = await addUser(db, {
    name: 'demo-manager',
    role: 'manager',
    actor: { name: admin.name, role: 'admin' },
    token: { tokenHash: hashToken(generateToken()), expiresAt, name: 'demo' },
  });
  return { manager: manager.name, admin: admin.name, adminToken };
}
