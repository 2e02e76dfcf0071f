// The "Sign in" panel: runs the README's SignIn operation (`login`) and puts the token into the header editor
// as `Authorization: Bearer …`, where it can be seen, copied or edited.
import { useGraphiQL, useGraphiQLActions } from '@graphiql/react';
import { useState, useSyncExternalStore } from 'react';
import { session } from './session.js';
import SIGN_IN from '../../../examples/operations/SignIn.graphql';

function withAuthorization(text, authorization) {
  let headers = {};
  try {
    const parsed = JSON.parse(text || '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) headers = parsed;
  } catch {
    // Unparseable headers are replaced rather than merged.
  }
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === 'authorization') delete headers[key];
  }
  if (authorization) headers.Authorization = authorization;
  return Object.keys(headers).length ? JSON.stringify(headers, null, 2) : '';
}

export function SignInIcon() {
  return (
    <svg viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor"
      strokeWidth="1.5" aria-hidden="true">
      <circle cx="12" cy="8" r="4" />
      <path d="M4 21c0-4.4 3.6-8 8-8s8 3.6 8 8" />
    </svg>
  );
}

export function createSignInPanel({ httpUrl, demo }) {
  return function SignInPanel() {
    const headerEditor = useGraphiQL((state) => state.headerEditor);
    const { updateActiveTabValues } = useGraphiQLActions();
    const signedIn = useSyncExternalStore(session.subscribe, session.get);
    const [login, setLogin] = useState('');
    const [password, setPassword] = useState('');
    const [companyCode, setCompanyCode] = useState('');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);

    function applyHeaders(authorization) {
      const text = withAuthorization(headerEditor?.getValue() ?? '', authorization);
      headerEditor?.setValue(text);
      updateActiveTabValues({ headers: text });
    }

    async function signIn(event) {
      event.preventDefault();
      setBusy(true);
      setError('');
      try {
        const response = await fetch(httpUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({
            query: SIGN_IN,
            variables: { input: { login, password, ...(companyCode.trim() ? { companyCode: companyCode.trim() } : {}) } },
          }),
        });
        const body = await response.json();
        const payload = body.data?.login;
        const problem = payload?.userErrors?.[0]?.message ?? body.errors?.[0]?.message;
        if (!payload?.token) {
          setError(problem ?? `sign-in failed (HTTP ${response.status})`);
          return;
        }
        const authorization = `Bearer ${payload.token}`;
        session.set({ authorization, operator: payload.operator });
        applyHeaders(authorization);
        setPassword('');
      } catch (e) {
        setError(`sign-in failed: ${e.message}`);
      } finally {
        setBusy(false);
      }
    }

    function signOut() {
      session.set(null);
      applyHeaders(null);
    }

    return (
      <div className="cf-sign-in">
        <div className="graphiql-doc-explorer-title">Sign in</div>
        {signedIn ? (
          <div>
            <p data-testid="signed-in">
              Signed in as <strong>{signedIn.operator.displayName}</strong> (
              {signedIn.operator.role}). Every tab and the subscription socket use this token
              unless a tab&apos;s headers name another.
            </p>
            <button type="button" className="graphiql-button" onClick={signOut}>
              Sign out
            </button>
          </div>
        ) : (
          <form onSubmit={signIn}>
            <label>
              Login
              <input name="login" autoComplete="username" value={login}
                onChange={(e) => setLogin(e.target.value)} required />
            </label>
            <label>
              Password
              <input name="password" type="password" autoComplete="current-password"
                value={password} onChange={(e) => setPassword(e.target.value)} required />
            </label>
            <label>
              Company (code; empty: your first)
              <input name="companyCode" autoComplete="organization" value={companyCode}
                onChange={(e) => setCompanyCode(e.target.value)} />
            </label>
            <button type="submit" className="graphiql-button" disabled={busy}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
            {error && <p role="alert" className="cf-error">{error}</p>}
          </form>
        )}
        {demo && !signedIn && (
          <p className="cf-hint">
            Demo data: sign in as <code>admin</code>, <code>maria</code>, <code>alice</code> or{' '}
            <code>bob</code> (company <code>ACME</code>), or <code>carla</code> (<code>GLOBEX</code>;
            <code>admin</code> and <code>bob</code> work there too), password <code>demo</code>.
          </p>
        )}
        <p className="cf-hint">
          Queries and mutations go to <code>{httpUrl}</code>; subscriptions use the
          graphql-transport-ws protocol on the same path, with the token in the{' '}
          <code>connection_init</code> payload.
        </p>
      </div>
    );
  };
}
