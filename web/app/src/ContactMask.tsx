// The contact mask of the seed: the tab "Attività" with its two panes — what was done (type,
// date, operator, description) and what is pending (date, type, description, deadline,
// operator, reminder window, "Crea attività") — and the tab "Log" with the stage changes,
// newest first, shown only when the workflow's logTabVisible. Date and operator of an activity
// are the server's (its clock, the signed-in operator): the form never asks for them. The
// activity types offered are the stage's allowedActivityTypes.
import { useState, type FormEvent } from 'react';
import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { Board, ContactMask, MoveContact, Operators, RecordActivity, StageContacts } from './operations';
import type { ContactMaskQuery, SaveContactInput } from '../gql/graphql';
import { useI18n } from './i18n';

/** A `datetime-local` value (the browser's time) as an RFC 3339 moment, or none. */
function moment(local: string): string | null {
  return local ? new Date(local).toISOString() : null;
}

export function ContactScreen({ id }: { id: string }) {
  const { t, moment: show, problem } = useI18n();
  const mask = useQuery(ContactMask, { variables: { id } });
  const [tab, setTab] = useState<'activities' | 'log'>('activities');
  const [moveContact] = useMutation(MoveContact);
  const client = useApolloClient();
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const contact = mask.data?.contact;
  if (mask.error) return <p className="error">{mask.error.message}</p>;
  if (!contact) return <p className="loading">…</p>;
  const logVisible = contact.workflow.logTabVisible;

  async function move(toStageId: string, name: string) {
    const { data } = await moveContact({
      variables: { input: { contactId: contact!.id, toStageId, expectedVersion: contact!.version } },
    });
    const errors = data?.moveContactToStage.userErrors ?? [];
    setNotice(
      errors.length > 0
        ? { ok: false, text: errors.map((e) => problem(e.code)).join('; ') }
        : { ok: true, text: `${t.moved} ${name}` },
    );
    await client.refetchQueries({ include: [ContactMask, Board, StageContacts] });
  }

  return (
    <section className="mask">
      <a href="#/">← {t.back}</a>
      <h2>
        {contact.name}{' '}
        <span className="stage" data-testid="stage" style={{ background: contact.stage.color ?? undefined }}>
          {contact.stage.name}
        </span>
      </h2>
      <p>
        {[contact.email, contact.phone, contact.owner?.displayName].filter(Boolean).join(' · ')}
      </p>
      <div className="transitions">
        {contact.availableTransitions.map((option) => (
          <span key={option.to.id} className="transition">
            <button
              data-testid={`move-${option.to.code}`}
              onClick={() => void move(option.to.id, option.to.name)}
              title={option.blockedBy.map(problem).join('; ')}
            >
              {t.move} → {option.to.name}
            </button>
            {!option.allowed && (
              <small className="blocked" data-testid={`blocked-${option.to.code}`}>
                {option.blockedBy.map(problem).join('; ')}
              </small>
            )}
          </span>
        ))}
      </div>
      {notice && (
        <p className={notice.ok ? 'notice' : 'error'} role="status" data-testid="mask-notice">
          {notice.text}
        </p>
      )}
      <div className="tabs" role="tablist">
        <button role="tab" aria-selected={tab === 'activities'} onClick={() => setTab('activities')}>
          {t.tabActivities}
        </button>
        {logVisible && (
          <button role="tab" aria-selected={tab === 'log'} onClick={() => setTab('log')}>
            {t.tabLog}
          </button>
        )}
      </div>
      {tab === 'log' && logVisible ? (
        <table className="log" data-testid="log">
          <thead>
            <tr><th>{t.from}</th><th>{t.to}</th><th>{t.operator}</th><th>{t.date}</th></tr>
          </thead>
          <tbody>
            {[...contact.stageLog.edges]
              .sort((a, b) => b.node.changedAt.localeCompare(a.node.changedAt))
              .map(({ node }) => (
                <tr key={node.id}>
                  <td>{node.from?.name ?? t.none}</td>
                  <td>{node.to.name}</td>
                  <td>{node.operator.displayName}</td>
                  <td>{show(node.changedAt)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      ) : (
        <>
          <div className="panes">
            <div>
              <h3>{t.activities}</h3>
              <table data-testid="activities">
                <thead>
                  <tr><th>{t.type}</th><th>{t.date}</th><th>{t.operator}</th><th>{t.description}</th></tr>
                </thead>
                <tbody>
                  {contact.activities.edges.map(({ node }) => (
                    <tr key={node.id}>
                      <td>{node.type.name}</td>
                      <td>{show(node.performedAt)}</td>
                      <td>{node.operator.displayName}</td>
                      <td>{node.description}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div>
              <h3>{t.pending}</h3>
              <table data-testid="pending">
                <thead>
                  <tr>
                    <th>{t.date}</th><th>{t.type}</th><th>{t.description}</th><th>{t.deadline}</th>
                    <th>{t.operator}</th><th>{t.reminder}</th><th>{t.createTodo}</th>
                  </tr>
                </thead>
                <tbody>
                  {contact.pendingActivities.map((p) => (
                    <tr key={p.id}>
                      <td>{show(p.pendingSince)}</td>
                      <td>{p.type.name}</td>
                      <td>{p.description}</td>
                      <td>{show(p.dueAt)}</td>
                      <td>{p.assignee.displayName}</td>
                      <td>
                        {p.reminderStartsAt
                          ? `${show(p.reminderStartsAt)} – ${show(p.reminderEndsAt)}`
                          : t.none}
                      </td>
                      <td>{p.createTodo ? t.yes : t.no}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
          <RecordForm contact={contact} />
        </>
      )}
    </section>
  );
}

type Contact = ContactMaskQuery['contact'];

/** Records what was done and schedules what comes next, in one saveContact. */
function RecordForm({ contact }: { contact: NonNullable<Contact> }) {
  const { t, problem } = useI18n();
  const operators = useQuery(Operators);
  const [save, { loading }] = useMutation(RecordActivity, {
    refetchQueries: [ContactMask, Board, StageContacts],
    awaitRefetchQueries: true,
  });
  const [doneType, setDoneType] = useState('');
  const [doneDescription, setDoneDescription] = useState('');
  const [nextType, setNextType] = useState('');
  const [nextDescription, setNextDescription] = useState('');
  const [deadline, setDeadline] = useState('');
  const [assignee, setAssignee] = useState('');
  const [reminderStarts, setReminderStarts] = useState('');
  const [reminderEnds, setReminderEnds] = useState('');
  const [createTodo, setCreateTodo] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const input: SaveContactInput = { id: contact.id, expectedVersion: contact.version };
    if (doneType) input.activity = { activityTypeId: doneType, description: doneDescription || null };
    if (nextType) {
      input.pendingActivity = {
        activityTypeId: nextType,
        description: nextDescription || null,
        dueAt: moment(deadline),
        assigneeId: assignee || null,
        reminderStartsAt: moment(reminderStarts),
        reminderEndsAt: moment(reminderEnds),
        createTodo,
      };
    }
    const { data } = await save({ variables: { input } });
    const errors = data?.saveContact.userErrors ?? [];
    if (errors.length > 0) {
      setOutcome({ ok: false, text: errors.map((e) => problem(e.code)).join('; ') });
      return;
    }
    setOutcome({ ok: true, text: t.saved });
    setDoneType('');
    setDoneDescription('');
    setNextType('');
    setNextDescription('');
    setDeadline('');
    setReminderStarts('');
    setReminderEnds('');
    setCreateTodo(false);
  }

  const types = contact.allowedActivityTypes;
  return (
    <form className="record" onSubmit={submit}>
      <fieldset>
        <legend>{t.record}</legend>
        <TypeAndDescription
          names={['activityType', 'activityDescription']}
          types={types}
          type={[doneType, setDoneType]}
          description={[doneDescription, setDoneDescription]}
        />
      </fieldset>
      <fieldset>
        <legend>{t.schedule}</legend>
        <TypeAndDescription
          names={['pendingType', 'pendingDescription']}
          types={types}
          type={[nextType, setNextType]}
          description={[nextDescription, setNextDescription]}
        />
        <label>
          {t.deadline}
          <input name="deadline" type="datetime-local" step="1" value={deadline} onChange={(e) => setDeadline(e.target.value)} />
        </label>
        <label>
          {t.operator}
          <select name="assignee" value={assignee} onChange={(e) => setAssignee(e.target.value)}>
            <option value="">{t.none}</option>
            {operators.data?.operators.filter((o) => o.active).map((o) => (
              <option key={o.id} value={o.id}>{o.displayName}</option>
            ))}
          </select>
        </label>
        <label>
          {t.reminder} ({t.reminderFrom})
          <input name="reminderStarts" type="datetime-local" step="1" value={reminderStarts} onChange={(e) => setReminderStarts(e.target.value)} />
        </label>
        <label>
          {t.reminder} ({t.reminderTo})
          <input name="reminderEnds" type="datetime-local" step="1" value={reminderEnds} onChange={(e) => setReminderEnds(e.target.value)} />
        </label>
        <label className="check">
          <input name="createTodo" type="checkbox" checked={createTodo} onChange={(e) => setCreateTodo(e.target.checked)} />
          {t.createTodo}
        </label>
      </fieldset>
      <button type="submit" disabled={loading || (!doneType && !nextType)}>{t.save}</button>
      {outcome && (
        <p className={outcome.ok ? 'notice' : 'error'} role="status" data-testid="save-outcome">
          {outcome.text}
        </p>
      )}
    </form>
  );
}

type Field = [string, (value: string) => void];

/** An activity type of the stage's and a description: what was done, or what comes next. */
function TypeAndDescription({
  names,
  types,
  type: [type, setType],
  description: [description, setDescription],
}: {
  names: [string, string];
  types: { id: string; name: string }[];
  type: Field;
  description: Field;
}) {
  const { t } = useI18n();
  return (
    <>
      <label>
        {t.type}
        <select name={names[0]} value={type} onChange={(e) => setType(e.target.value)}>
          <option value="">{t.choose}</option>
          {types.map((option) => <option key={option.id} value={option.id}>{option.name}</option>)}
        </select>
      </label>
      <label>
        {t.description}
        <input name={names[1]} value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
    </>
  );
}
