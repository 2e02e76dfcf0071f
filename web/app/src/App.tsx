// The shell: signed out, the sign-in form; signed in, the header and the screen the address
// names (#/ the board, #/contacts/<id> the contact mask, #/todos the to-do list), with the
// reminder pop-up above every screen.
import { useEffect, useMemo, useState } from 'react';
import { useApolloClient, useQuery } from '@apollo/client/react';
import { Me } from './operations';
import { hasSession, onSessionChange, refresh, signOut } from './auth';
import { I18nContext, i18nFor, languageOf, type Language } from './i18n';
import { SignInForm } from './SignIn';
import { BoardScreen } from './Board';
import { ContactScreen } from './ContactMask';
import { TodosScreen } from './Todos';
import { ReminderPopup } from './Reminders';
import { socket } from './apollo';

const LANGUAGE_KEY = 'contactflow.language';

/** The screen the address names. */
function useRoute(): string[] {
  const read = () => window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const changed = () => setRoute(read());
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}

export function App() {
  const [signedIn, setSignedIn] = useState(hasSession());
  const [chosen, setChosen] = useState<Language | null>(
    () => (sessionStorage.getItem(LANGUAGE_KEY) as Language | null) ?? null,
  );
  const client = useApolloClient();
  useEffect(
    () =>
      onSessionChange(() => {
        const now = hasSession();
        setSignedIn(now);
        if (!now) {
          // Nothing of the last operator stays in memory or on the socket.
          void client.clearStore();
          socket.terminate();
        }
      }),
    [client],
  );
  // A reload keeps the refresh token only: trade it for a token first.
  const [ready, setReady] = useState(!signedIn);
  useEffect(() => {
    if (signedIn && !ready) void refresh().then(() => setReady(true));
  }, [signedIn, ready]);
  const me = useQuery(Me, { skip: !signedIn || !ready });
  const language = chosen ?? languageOf(me.data?.me.locale ?? navigator.language);
  const i18n = useMemo(
    () =>
      i18nFor(language, (next) => {
        sessionStorage.setItem(LANGUAGE_KEY, next);
        setChosen(next);
      }),
    [language],
  );
  const route = useRoute();
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);

  if (!signedIn) {
    return (
      <I18nContext.Provider value={i18n}>
        <SignInForm onSignedIn={() => setReady(true)} />
      </I18nContext.Provider>
    );
  }
  if (!ready || !me.data) {
    return <p className="loading">…</p>;
  }
  const t = i18n.t;
  return (
    <I18nContext.Provider value={i18n}>
      <header className="bar">
        <strong>{t.appName}</strong>
        <nav>
          <a href="#/">{t.board}</a>
          <a href="#/todos">{t.todos}</a>
        </nav>
        <span className="who" data-testid="who">{me.data.me.displayName}</span>
        <label>
          {t.language}{' '}
          <select
            value={language}
            onChange={(event) => i18n.setLanguage(event.target.value as Language)}
          >
            <option value="it">Italiano</option>
            <option value="en">English</option>
          </select>
        </label>
        <button onClick={signOut}>{t.signOut}</button>
      </header>
      <main>
        {route[0] === 'contacts' && route[1] ? (
          <ContactScreen id={decodeURIComponent(route[1])} />
        ) : route[0] === 'todos' ? (
          <TodosScreen />
        ) : (
          <BoardScreen />
        )}
      </main>
      <ReminderPopup />
    </I18nContext.Provider>
  );
}
