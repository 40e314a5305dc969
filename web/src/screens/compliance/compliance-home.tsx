import { Navigate, NavLink, Route, Routes } from 'react-router';
import { t } from '../../i18n/index.ts';
import { AbandonmentDesk } from './abandonment.tsx';
import { ApprovalsDesk } from './approvals.tsx';
import { AuditDesk } from './audit.tsx';
import { DialLogDesk } from './dial-log.tsx';
import { DncDesk } from './dnc.tsx';

const TABS = [
  { path: 'log', title: t.compliance.tabs.log, element: <DialLogDesk /> },
  { path: 'abandonment', title: t.compliance.tabs.abandonment, element: <AbandonmentDesk /> },
  { path: 'approvals', title: t.compliance.tabs.approvals, element: <ApprovalsDesk /> },
  { path: 'dnc', title: t.compliance.tabs.dnc, element: <DncDesk /> },
  { path: 'audit', title: t.compliance.tabs.audit, element: <AuditDesk /> },
];

/** The compliance officer's desk: one tab per record kept (exports are their own screen, /exports). */
export default function ComplianceHome() {
  return (
    <section aria-labelledby="screen-title">
      <h1 id="screen-title">{t.screens.compliance}</h1>
      <nav aria-label={t.compliance.tabsLabel}>
        <ul className="tabs">
          {TABS.map((tab) => (
            <li key={tab.path}>
              <NavLink to={`/compliance/${tab.path}`}>{tab.title}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Routes>
        <Route index element={<Navigate to="log" replace />} />
        {TABS.map((tab) => (
          <Route key={tab.path} path={tab.path} element={tab.element} />
        ))}
      </Routes>
    </section>
  );
}
