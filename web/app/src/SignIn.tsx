import { useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client/react';
import { SignIn } from './operations';
import { keep } from './auth';
import { config } from './config';
import { useI18n } from './i18n';

export function SignInForm({ onSignedIn }: { onSignedIn: () => void }) {
  const { t, problem } = useI18n();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [companyCode, setCompanyCode] = useState('');
  const [signIn, { loading }] = useMutation(SignIn);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const { data } = await signIn({
        variables: { input: { login, password, companyCode: companyCode || null } },
      });
      const answer = data?.login;
      if (answer?.token && answer.refreshToken) {
        keep(answer.token, answer.refreshToken);
        onSignedIn();
      } else {
        setError(answer?.userErrors.map((e) => e.message || problem(e.code)).join('; ') ?? '?');
      }
    } catch (failure) {
      setError(String(failure));
    }
  }

  return (
    <form className="sign-in" onSubmit={submit}>
      <h1>{t.appName}</h1>
      <label>
        {t.login}
        <input name="login" autoComplete="username" value={login} onChange={(e) => setLogin(e.target.value)} required />
      </label>
      <label>
        {t.password}
        <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
      </label>
      <label>
        {t.company}
        <input name="company" value={companyCode} onChange={(e) => setCompanyCode(e.target.value)} />
      </label>
      <button type="submit" disabled={loading}>{t.signIn}</button>
      {error && <p className="error" role="alert">{error}</p>}
      {config.demo && <p className="hint">{t.demoHint}</p>}
    </form>
  );
}
