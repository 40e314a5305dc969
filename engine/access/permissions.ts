/**
 * Who may do what: the one permission table of the product. Pure data and a pure check, with no
 * database, CLI or HTTP in it, so the command line and the future HTTP API decide alike. Every
 * command names the permission it needs; a command that shows full numbers, or acts on an agent,
 * asks for the extra permission when it does so.
 */

export const ROLES = ['admin', 'manager', 'agent', 'compliance_officer', 'qa'] as const;
export type Role = (typeof ROLES)[number];

const ALL: readonly Role[] = ROLES;
/** Everyone who supervises or reviews, i.e. not an agent working their own calls. */
const STAFF: readonly Role[] = ['admin', 'manager', 'compliance_officer', 'qa'];

/**
 * Permission → the roles holding it. Separation of duties: an admin manages people and
 * campaigns but does not see full numbers or change compliance decisions; that is the
 * compliance officer's (an admin who needs it gives someone the role, which is audited).
 */
export const PERMISSIONS = {
  /** Add users, disable them, change roles, set others' passwords, see and revoke others' tokens. */
  'user.manage': ['admin'],
  'user.list': ['admin', 'manager', 'compliance_officer'],
  /** Set one's own password; create, list and revoke one's own tokens. */
  'self.credentials': ALL,
  /** Apply pending migrations to a database that already has users. */
  'db.migrate': ['admin'],

  'client.add': ['admin', 'manager'],
  'client.read': STAFF,
  'campaign.create': ['admin', 'manager'],
  'campaign.read': ALL,
  /** Start, pause, resume, stop a campaign; run the engine. */
  'campaign.control': ['admin', 'manager'],
  'list.import': ['admin', 'manager'],
  'list.read': ['admin', 'manager', 'compliance_officer'],

  /** Anyone may record a do-not-call request (an agent hears most of them). */
  'dnc.add': ALL,
  'dnc.remove': ['compliance_officer'],
  'dnc.import': ['admin', 'compliance_officer'],
  'dnc.read': STAFF,
  'approval.record': ['compliance_officer'],
  'approval.revoke': ['compliance_officer'],
  'approval.read': STAFF,
  'compliance.read': STAFF,

  /** See or export full phone numbers (log show --unmask, dnc list --unmask, log export --full). */
  'numbers.full': ['compliance_officer'],
  /** Export the dial log (masked unless numbers.full as well). */
  'log.export': ['admin', 'manager', 'compliance_officer'],
  'log.read': STAFF,
  'report.read': STAFF,
  'audit.read': ['admin', 'compliance_officer'],
  /** Sign a checkpoint of the evidence chains' heads (log checkpoint, its key). */
  'log.checkpoint': ['compliance_officer'],
  /** Purge records past their retention minimum (retention purge; audited). */
  'retention.purge': ['compliance_officer'],
  /** Correct an agent's or the engine's outcome with a new record (never an update). */
  'outcome.correct': ['manager', 'compliance_officer'],
  'outcome.read': STAFF,
  'alarm.read': ['admin', 'manager', 'compliance_officer'],

  /** Browse recordings (their rows: campaign, agent, contact id, duration, state; no numbers). */
  'recording.read': STAFF,
  /** Take a recording's file away (audited, hash checked): quality inspectors and compliance. */
  'recording.download': ['qa', 'compliance_officer'],
  /** Purge recordings whose retention is over (audited, hash kept). */
  'recording.purge': ['admin', 'compliance_officer'],
  /** Define a campaign's evaluation form (a new version each time). */
  'qa.form': ['admin', 'manager', 'qa'],
  /** Score a recording against its campaign's form, or correct a score (append-only). */
  'qa.score': ['qa'],
  'qa.read': STAFF,

  'agent.add': ['admin', 'manager'],
  'agent.read': ALL,
  /** Operate any agent (log in, ready, pause, tag, callback…): supervisors. */
  'agent.operate.any': ['admin', 'manager'],
  /** Operate the agent linked to oneself. */
  'agent.operate.self': ['agent'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export function rolesWith(permission: Permission): readonly Role[] {
  return PERMISSIONS[permission];
}

/** The authenticated user a command or request acts as. */
export interface Principal {
  readonly userId: number;
  readonly name: string;
  readonly role: Role;
  /** The token that authenticated this principal, when one did. */
  readonly tokenId?: number;
}

export type AccessDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly permission: Permission; readonly needs: readonly Role[] };

export function decide(principal: Pick<Principal, 'role'>, permission: Permission): AccessDecision {
  return can(principal.role, permission)
    ? { allowed: true }
    : { allowed: false, permission, needs: rolesWith(permission) };
}

/**
 * May this principal operate the agent? Supervisors any agent; an agent only the agent linked
 * to them (`agentUserId` is the agent row's user, null when it is linked to nobody).
 */
export function decideAgentOperation(principal: Principal, agentUserId: number | null): AccessDecision {
  if (can(principal.role, 'agent.operate.any')) return { allowed: true };
  if (can(principal.role, 'agent.operate.self') && agentUserId === principal.userId) return { allowed: true };
  return can(principal.role, 'agent.operate.self')
    ? { allowed: false, permission: 'agent.operate.self', needs: rolesWith('agent.operate.self') }
    : { allowed: false, permission: 'agent.operate.any', needs: rolesWith('agent.operate.any') };
}
