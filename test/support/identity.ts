import type { Kysely } from 'kysely';
import { insertToken } from '../../db/queries/api-tokens.ts';
import { addUser, bootstrapAdmin, findUser } from '../../db/queries/users.ts';
import type { Database, UserRole } from '../../db/schema.ts';
import { generateToken, hashToken } from '../../engine/access/tokens.ts';
import type { CliResult } from '../cli/cli-run.ts';

/** A user a test acts as: their name, role and a valid API token. */
export interface TestUser {
  readonly name: string;
  readonly role: UserRole;
  readonly token: string;
  /** The environment a child-process `dialer` needs to act as them. */
  readonly env: { DIALER_TOKEN: string };
}

const DAY = 86_400_000;
let counter = 0;

function uniqueName(role: string): string {
  counter += 1;
  return `${role.replace('_', '-')}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 6)}`;
}

function asUser(name: string, role: UserRole, token: string): TestUser {
  return { name, role, token, env: { DIALER_TOKEN: token } };
}

/**
 * The test database's admin: bootstraps `admin` on an empty user table (as `dialer user
 * bootstrap` does), or adds one more admin when users exist (test files share no database,
 * but one file's tests do).
 */
export async function testAdmin(db: Kysely<Database>): Promise<TestUser> {
  const token = generateToken();
  const stored = { tokenHash: hashToken(token), expiresAt: new Date(Date.now() + DAY), name: 'test' };
  if (!(await findUser(db, 'admin'))) {
    try {
      await bootstrapAdmin(db, 'admin', stored);
      return asUser('admin', 'admin', token);
    } catch (error) {
      if ((error as { code?: string }).code !== 'already_bootstrapped') throw error;
    }
  }
  return testUser(db, 'admin');
}

/** A new user with the role and a token valid for a day (or `expiresAt`). */
export async function testUser(
  db: Kysely<Database>,
  role: UserRole,
  options: { name?: string; expiresAt?: Date } = {},
): Promise<TestUser> {
  const name = options.name ?? uniqueName(role);
  const token = generateToken();
  await addUser(db, {
    name,
    role,
    actor: { name: 'test-setup', role: 'admin' },
    token: {
      tokenHash: hashToken(token),
      expiresAt: options.expiresAt ?? new Date(Date.now() + DAY),
      name: 'test',
    },
  });
  return asUser(name, role, token);
}

/** Another token for an existing user. */
export async function testToken(
  db: Kysely<Database>,
  user: { name: string },
  expiresAt = new Date(Date.now() + DAY),
): Promise<{ token: string; id: number }> {
  const row = await findUser(db, user.name);
  if (!row) throw new Error(`no user ${user.name}`);
  const token = generateToken();
  const created = await insertToken(db, {
    userId: row.id,
    userName: row.name,
    name: 'test',
    tokenHash: hashToken(token),
    expiresAt,
    actor: { name: 'test-setup', role: 'admin' },
  });
  return { token, id: created.id };
}

type Dialer = (args: string[], env: NodeJS.ProcessEnv) => Promise<CliResult>;

/**
 * For tests that run the real binary on a database only the child process may open (an
 * embedded data folder): `dialer user bootstrap admin`, then `dialer user add` per role, each
 * printing a token once.
 */
export async function bootstrapThroughCli(
  dialer: Dialer,
  roles: readonly UserRole[] = [],
): Promise<{ admin: TestUser; users: Record<string, TestUser> }> {
  const boot = await dialer(['user', 'bootstrap', 'admin', '--json'], {});
  if (boot.code !== 0) throw new Error(`bootstrap failed: ${boot.stderr}`);
  const admin = asUser('admin', 'admin', JSON.parse(boot.stdout).token as string);
  const users: Record<string, TestUser> = {};
  for (const role of roles) {
    const name = uniqueName(role);
    const added = await dialer(['user', 'add', name, '--role', role, '--json'], admin.env);
    if (added.code !== 0) throw new Error(`user add failed: ${added.stderr}`);
    users[role] = asUser(name, role, JSON.parse(added.stdout).token as string);
  }
  return { admin, users };
}
