import type { RouteArea } from '../context.ts';
import { agentRoutes } from './agents.ts';
import { campaignRoutes } from './campaigns.ts';
import { complianceRoutes } from './compliance.ts';
import { dialLogRoutes } from './dial-log.ts';
import { dncRoutes } from './dnc.ts';
import { eventRoutes } from './events.ts';
import { listRoutes } from './lists.ts';
import { outcomeRoutes } from './outcomes.ts';
import { recordingRoutes } from './recordings.ts';
import { recordRoutes } from './records.ts';
import { reportRoutes } from './reports.ts';
import { sessionRoutes } from './session.ts';
import { userRoutes } from './users.ts';

/**
 * Every area of the API, one file each. A new area (recordings, QA…) is a file exporting a
 * RouteArea and one line here.
 */
export const ROUTE_AREAS: readonly RouteArea[] = [
  sessionRoutes,
  campaignRoutes,
  agentRoutes,
  listRoutes,
  dncRoutes,
  dialLogRoutes,
  reportRoutes,
  userRoutes,
  recordRoutes,
  eventRoutes,
  recordingRoutes,
  complianceRoutes,
  outcomeRoutes,
];
