// The session. The bearer token lives in memory only; the refresh token in session storage,
// so a reload of the tab stays signed in and closing it signs out. A request answered
// UNAUTHENTICATED is retried once after one refresh (concurrent failures share it); a refresh
// refused means signing in again.
import { RefreshSession } from './operations';
import { httpEndpoint } from './config';

const REFRESH_KEY = 'contactflow.refreshToken';

type Listener = () => void;

let token: string | null = null;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<Listener>();

export function currentToken(): string | null {
  return token;
}

export function hasSession(): boolean {
  return token !== null || sessionStorage.getItem(REFRESH_KEY) !== null;
}

/** Keeps a new session (after sign-in or refresh). */
export function keep(newToken: string, refreshToken: string): void {
  token = newToken;
  sessionStorage.setItem(REFRESH_KEY, refreshToken);
  listeners.forEach((listener) => listener());
}

export function signOut(): void {
  token = null;
  sessionStorage.removeItem(REFRESH_KEY);
  listeners.forEach((listener) => listener());
}

/** Called when the session starts or ends. */
export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Trades the refresh token for a new session, once however many ask at the same time. */
export function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    const refreshToken = sessionStorage.getItem(REFRESH_KEY);
    if (!refreshToken) return false;
    try {
      // Sent by its text's hash like every other operation (see apollo.ts).
      const hash = (RefreshSession as unknown as { __meta__: { hash: string } }).__meta__.hash.replace(/^sha256:/, '');
      const response = await fetch(httpEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({
          operationName: 'RefreshSession',
          variables: { input: { refreshToken } },
          extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
        }),
      });
      const body = await response.json();
      const answer = body?.data?.refreshToken;
      if (answer?.token && answer.refreshToken) {
        keep(answer.token, answer.refreshToken);
        return true;
      }
    } catch {
      // The network failed: the session may still be good; the next request tries again.
      return false;
    }
    signOut();
    return false;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

