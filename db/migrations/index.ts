import type { Migration } from 'kysely';
import * as initialSchema from './2026-11-25-001-initial-schema.ts';
import * as contactNeedsApproval from './2026-11-25-002-contact-needs-approval.ts';
import * as contactTimeZoneCandidates from './2026-11-25-010-contact-time-zone-candidates.ts';
import * as dialLogChain from './2026-11-25-020-dial-log-chain.ts';
import * as gateDenialsAndUsers from './2026-11-25-021-gate-denials-and-users.ts';
import * as nationalDncCCollation from './2026-11-25-022-national-dnc-c-collation.ts';
import * as engineRuntime from './2026-11-25-040-engine-runtime.ts';
import * as evidenceChain from './2026-12-02-001-evidence-chain.ts';
import * as identityCredentials from './2026-12-02-060-identity-credentials.ts';
import * as dialPassIndexes from './2026-12-02-080-dial-pass-indexes.ts';
import * as sipAnsweredAt from './2026-12-03-010-sip-answered-at.ts';
import * as recordingsAndQa from './2026-12-03-030-recordings-and-qa.ts';
import * as pacingStatistics from './2026-12-03-040-pacing-statistics.ts';
import * as contactAccountRef from './2026-12-03-050-contact-account-ref.ts';
import * as chainPurges from './2026-12-03-051-chain-purges.ts';
import * as attemptAccountAndCaller from './2026-12-04-300-attempt-account-and-caller.ts';
import * as outcomesByAttempt from './2026-12-05-010-outcomes-by-attempt.ts';

/**
 * Every migration, by name. Names sort by date, which is the order kysely applies them in.
 * A static list (rather than reading the folder) works the same under tsx, vitest and a bundle.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-25-001-initial-schema': initialSchema,
  '2026-11-25-002-contact-needs-approval': contactNeedsApproval,
  '2026-11-25-010-contact-time-zone-candidates': contactTimeZoneCandidates,
  '2026-11-25-020-dial-log-chain': dialLogChain,
  '2026-11-25-021-gate-denials-and-users': gateDenialsAndUsers,
  '2026-11-25-022-national-dnc-c-collation': nationalDncCCollation,
  '2026-11-25-040-engine-runtime': engineRuntime,
  '2026-12-02-001-evidence-chain': evidenceChain,
  '2026-12-02-060-identity-credentials': identityCredentials,
  '2026-12-02-080-dial-pass-indexes': dialPassIndexes,
  '2026-12-03-010-sip-answered-at': sipAnsweredAt,
  '2026-12-03-030-recordings-and-qa': recordingsAndQa,
  '2026-12-03-040-pacing-statistics': pacingStatistics,
  '2026-12-03-050-contact-account-ref': contactAccountRef,
  '2026-12-03-051-chain-purges': chainPurges,
  '2026-12-04-300-attempt-account-and-caller': attemptAccountAndCaller,
  '2026-12-05-010-outcomes-by-attempt': outcomesByAttempt,
};
