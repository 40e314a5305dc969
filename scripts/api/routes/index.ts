import type { RouteArea } from '../context.ts';
import { agentRoutes } from './agents.ts';
import { campaignRoutes } from './campaigns.ts';
import { eventRoutes } from './events.ts';
import { sessionRoutes } from './session.ts';

/**
 * Every area of the API, one file each. A new area (recordings, QA…) is a file exporting a
 * RouteArea and one line here.
 */
export const ROUTE_AREAS: readonly RouteArea[] = [sessionRoutes, campaignRoutes, agentRoutes, eventRoutes];
