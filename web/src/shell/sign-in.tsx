import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { t } from '../i18n/index.ts';
import { useSession } from './session.tsx';

export function SignIn() {
  const { signIn } = useSession();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [working, setWorking] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setWorking(true);
    setError(null);
    try {
      await signIn(name, password);
    } catch (e) {
      setError(
        e instanceof ApiError
          ? e.status === 429
            ? t.signIn.rateLimited
            : e.status === 0
              ? t.errors.network
              : t.signIn.failed
          : t.errors.network,
      );
      setWorking(false);
    }
  }

  return (
    <main id="main" className="sign-in">
      <h1>{t.app.title}</h1>
      <form onSubmit={(e) => void submit(e)} aria-labelledby="sign-in-title">
        <h2 id="sign-in-title">{t.signIn.title}</h2>
        <label>
          {t.signIn.name}
          <input
            name="name"
            autoComplete="username"
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <label>
          {t.signIn.password}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={working}>
          {working ? t.signIn.working : t.signIn.submit}
        </button>
      </form>
    </main>
  );
}
