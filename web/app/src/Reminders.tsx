// The reminder pop-up: the `reminders` subscription sends every reminder showing now, then
// each as it falls due (DUE) or stops showing (CLEARED, also when dismissed or snoozed on
// another device). The pop-up shows the due ones, with snooze and dismiss.
import { useState } from 'react';
import { useMutation, useSubscription } from '@apollo/client/react';
import { DismissReminder, Reminders, SnoozeReminder } from './operations';
import type { RemindersSubscription } from '../gql/graphql';
import { useI18n } from './i18n';

type Reminder = RemindersSubscription['reminders']['reminder'];

const SNOOZE_MINUTES = 10;

export function ReminderPopup() {
  const { t, moment } = useI18n();
  const [due, setDue] = useState<Reminder[]>([]);
  const [dismiss] = useMutation(DismissReminder);
  const [snooze] = useMutation(SnoozeReminder);
  useSubscription(Reminders, {
    onData: ({ data }) => {
      const event = data.data?.reminders;
      if (!event) return;
      setDue((shown) => {
        const others = shown.filter((r) => r.id !== event.reminder.id);
        return event.kind === 'DUE' ? [...others, event.reminder] : others;
      });
    },
  });
  if (due.length === 0) return null;
  const hide = (id: string) => setDue((shown) => shown.filter((r) => r.id !== id));
  return (
    <div className="popup" role="dialog" aria-label={t.due} data-testid="reminder-popup">
      {due.map((reminder) => (
        <div key={reminder.id} className="reminder">
          <h3>{t.due}: {reminder.pendingActivity.type.name}</h3>
          <p>
            <a href={`#/contacts/${encodeURIComponent(reminder.contact.id)}`}>{reminder.contact.name}</a>
            {reminder.pendingActivity.description && ` — ${reminder.pendingActivity.description}`}
          </p>
          <p><small>{t.deadline}: {moment(reminder.dueAt)}</small></p>
          <button
            onClick={() => {
              hide(reminder.id);
              const until = new Date(Date.now() + SNOOZE_MINUTES * 60_000).toISOString();
              void snooze({ variables: { input: { reminderId: reminder.id, until } } });
            }}
          >
            {t.snooze}
          </button>
          <button
            onClick={() => {
              hide(reminder.id);
              void dismiss({ variables: { input: { reminderId: reminder.id } } });
            }}
          >
            {t.dismiss}
          </button>
        </div>
      ))}
    </div>
  );
}
