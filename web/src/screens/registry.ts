import { type ComponentType, type LazyExoticComponent, lazy } from 'react';
import type { Role } from '../api/types.ts';
import { t } from '../i18n/index.ts';

/**
 * The console's screens: one entry each, its own file(s) under screens/, loaded when first
 * opened. A new screen is a file and one line here; the shell builds its navigation and routes
 * from this list, showing each role the screens it opens (the API checks again).
 */
export interface ScreenEntry {
  path: string;
  title: string;
  roles: readonly Role[];
  component: LazyExoticComponent<ComponentType>;
}

export const SCREENS: readonly ScreenEntry[] = [
  {
    path: '/agent',
    title: t.screens.agent,
    // Supervisors may work any agent's seat (agent.operate.any).
    roles: ['agent', 'manager', 'admin'],
    component: lazy(() => import('./agent/agent-desktop.tsx')),
  },
  {
    path: '/manager',
    title: t.screens.manager,
    roles: ['manager', 'admin'],
    component: lazy(() => import('./manager/manager-home.tsx')),
  },
  {
    path: '/compliance',
    title: t.screens.compliance,
    roles: ['compliance_officer'],
    component: lazy(() => import('./compliance/compliance-home.tsx')),
  },
  {
    path: '/qa',
    title: t.screens.qa,
    roles: ['qa'],
    component: lazy(() => import('./qa/qa-home.tsx')),
  },
  {
    path: '/exports',
    title: t.screens.exports,
    // The roles of log.export (engine/access/permissions.ts); the API checks again and audits.
    roles: ['compliance_officer', 'manager', 'admin'],
    component: lazy(() => import('./compliance/exports.tsx')),
  },
  {
    path: '/admin',
    title: t.screens.admin,
    roles: ['admin'],
    component: lazy(() => import('./admin/admin-home.tsx')),
  },
];

/** Where each role lands after signing in. */
export const HOME: Record<Role, string> = {
  agent: '/agent',
  manager: '/manager',
  compliance_officer: '/compliance',
  qa: '/qa',
  admin: '/admin',
};

export function screensFor(role: Role): ScreenEntry[] {
  return SCREENS.filter((s) => s.roles.includes(role));
}
