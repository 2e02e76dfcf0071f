// Italian and English. The operator's locale chooses at sign-in; the switch in the header
// changes it for this tab. Dates and times are shown in the browser's time zone.
import { createContext, useContext } from 'react';

const en = {
  appName: 'contactflow',
  signIn: 'Sign in',
  signOut: 'Sign out',
  login: 'Login',
  password: 'Password',
  company: 'Company code (optional)',
  demoHint: 'Demo data: alice, maria, bob or admin, password demo.',
  board: 'Pipeline',
  todos: 'My to-dos',
  contacts: 'contacts',
  stale: 'stale',
  staleSince: 'stale since',
  moveTo: 'Move to…',
  dragHint: 'Drag a contact to another stage, or choose from its ⋯ menu: what blocks a move shows before it.',
  move: 'Move',
  moved: 'Moved to',
  blocked: 'Not possible now',
  loadMore: 'More',
  back: 'Back to the pipeline',
  tabActivities: 'Activities',
  tabLog: 'Log',
  activities: 'Activities',
  pending: 'Pending activities',
  type: 'Activity type',
  date: 'Date',
  operator: 'Operator',
  description: 'Description',
  deadline: 'Deadline',
  reminder: 'Reminder window',
  createTodo: 'Create to-do',
  from: 'From stage',
  to: 'To stage',
  record: 'Record an activity',
  schedule: 'Schedule what comes next',
  none: '—',
  save: 'Save',
  saved: 'Saved',
  reminderFrom: 'from',
  reminderTo: 'to',
  noTodos: 'Nothing to do.',
  due: 'Reminder',
  snooze: 'Snooze 10 minutes',
  dismiss: 'Dismiss',
  open: 'Open',
  language: 'Language',
  choose: 'Choose…',
  yes: 'yes',
  no: 'no',
  // The server's user error codes, as the screens show them.
  MANDATORY_ACTIVITY_MISSING: 'a mandatory activity of this stage is missing',
  TRANSITION_FORBIDDEN: 'your role may not take this transition',
  ILLEGAL_TRANSITION: 'there is no transition to that stage',
  ACTIVITY_TYPE_NOT_ALLOWED_IN_STAGE: 'this activity type is not allowed in this stage',
  REMINDER_END_BEFORE_START: 'the reminder window ends before it starts',
  REMINDER_WINDOW_INCOMPLETE: 'give both ends of the reminder window',
  STALE_VERSION: 'someone changed this contact meanwhile: reload',
  INVALID_INPUT: 'a value is not valid',
} as const;

export type Words = { [K in keyof typeof en]: string };

const it: Words = {
  appName: 'contactflow',
  signIn: 'Accedi',
  signOut: 'Esci',
  login: 'Utente',
  password: 'Password',
  company: 'Codice azienda (facoltativo)',
  demoHint: 'Dati demo: alice, maria, bob o admin, password demo.',
  board: 'Pipeline',
  todos: 'Le mie attività da fare',
  contacts: 'contatti',
  stale: 'fermo',
  staleSince: 'fermo dal',
  moveTo: 'Sposta in…',
  dragHint: 'Trascina un contatto in un’altra fase, o sceglila dal suo menu ⋯: ciò che blocca uno spostamento si vede prima.',
  move: 'Sposta',
  moved: 'Spostato in',
  blocked: 'Non possibile ora',
  loadMore: 'Altri',
  back: 'Torna alla pipeline',
  tabActivities: 'Attività',
  tabLog: 'Log',
  activities: 'Attività',
  pending: 'Attività in sospeso',
  type: 'Tipo attività',
  date: 'Data',
  operator: 'Operatore',
  description: 'Descrizione',
  deadline: 'Scadenza',
  reminder: 'Finestra di promemoria',
  createTodo: 'Crea attività',
  from: 'Da fase',
  to: 'A fase',
  record: 'Registra un’attività',
  schedule: 'Pianifica la prossima',
  none: '—',
  save: 'Salva',
  saved: 'Salvato',
  reminderFrom: 'dal',
  reminderTo: 'al',
  noTodos: 'Niente da fare.',
  due: 'Promemoria',
  snooze: 'Rimanda di 10 minuti',
  dismiss: 'Chiudi',
  open: 'Apri',
  language: 'Lingua',
  choose: 'Scegli…',
  yes: 'sì',
  no: 'no',
  MANDATORY_ACTIVITY_MISSING: 'manca un’attività obbligatoria di questa fase',
  TRANSITION_FORBIDDEN: 'il tuo ruolo non può eseguire questa transizione',
  ILLEGAL_TRANSITION: 'non c’è una transizione verso quella fase',
  ACTIVITY_TYPE_NOT_ALLOWED_IN_STAGE: 'questo tipo di attività non è ammesso in questa fase',
  REMINDER_END_BEFORE_START: 'la finestra di promemoria finisce prima di iniziare',
  REMINDER_WINDOW_INCOMPLETE: 'indica entrambi gli estremi della finestra di promemoria',
  STALE_VERSION: 'qualcuno ha modificato il contatto nel frattempo: ricarica',
  INVALID_INPUT: 'un valore non è valido',
};

export type Language = 'en' | 'it';

export const dictionaries: Record<Language, Words> = { en, it };

/** The language of a BCP 47 locale: Italian for `it…`, English otherwise. */
export function languageOf(locale: string | null | undefined): Language {
  return locale?.toLowerCase().startsWith('it') ? 'it' : 'en';
}

export interface I18n {
  language: Language;
  t: Words;
  setLanguage: (language: Language) => void;
  /** A moment as the operator reads it. */
  moment: (iso: string | null | undefined) => string;
  /** A user error code in words (the code itself when it has none). */
  problem: (code: string) => string;
}

export function i18nFor(language: Language, setLanguage: (language: Language) => void): I18n {
  const t = dictionaries[language];
  const format = new Intl.DateTimeFormat(language === 'it' ? 'it-IT' : 'en-GB', {
    dateStyle: 'short',
    timeStyle: 'short',
  });
  return {
    language,
    t,
    setLanguage,
    moment: (iso) => (iso ? format.format(new Date(iso)) : t.none),
    problem: (code) => (code in t ? t[code as keyof Words] : code),
  };
}

export const I18nContext = createContext<I18n>(i18nFor('en', () => {}));

export function useI18n(): I18n {
  return useContext(I18nContext);
}
