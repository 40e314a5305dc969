import { Suspense } from 'react';
import { BrowserRouter, Navigate, NavLink, Route, Routes } from 'react-router';
import { t } from '../i18n/index.ts';
import { HOME, SCREENS, screensFor } from '../screens/registry.ts';
import { SessionProvider, useSession } from './session.tsx';
import { SignIn } from './sign-in.tsx';

function Shell() {
  const { me, signOut } = useSession();
  if (me === undefined) return <p className="loading">{t.app.loading}</p>;
  if (me === null) return <SignIn />;
  const mine = screensFor(me.role);
  return (
    <>
      <a className="skip-link" href="#main">
        {t.app.skipToContent}
      </a>
      <header className="top-bar">
        <span className="brand">{t.app.title}</span>
        <nav aria-label={t.app.mainNav}>
          <ul>
            {mine.map((s) => (
              <li key={s.path}>
                <NavLink to={s.path}>{s.title}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <span className="who" data-testid="who">
          {t.app.signedInAs(me.name, t.roles[me.role] ?? me.role)}
        </span>
        <button type="button" onClick={() => void signOut()}>
          {t.app.signOut}
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p className="loading">{t.app.loading}</p>}>
          <Routes>
            <Route path="/" element={<Navigate to={HOME[me.role]} replace />} />
            {SCREENS.map((s) => (
              <Route
                key={s.path}
                path={`${s.path}/*`}
                element={s.roles.includes(me.role) ? <s.component /> : <p role="alert">{t.app.forbidden}</p>}
              />
            ))}
            <Route path="*" element={<p role="alert">{t.app.notFound}</p>} />
          </Routes>
        </Suspense>
      </main>
    </>
  );
}

export function App() {
  return (
    <SessionProvider>
      <BrowserRouter>
        <Shell />
      </BrowserRouter>
    </SessionProvider>
  );
}
