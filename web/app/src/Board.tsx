// The pipeline board: a column per stage of the default workflow with its contactCount, each
// column a page of contacts at a time (relayStylePagination merges the pages). A contact moves
// by drag and drop or by its menu; what blocks a transition (blockedBy) shows before the move,
// the move's userErrors after it. Colleagues' moves arrive through contactEvents and refetch
// the board.
import { useEffect, useRef, useState, type DragEvent } from 'react';
import { useApolloClient, useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { Board, ContactTransitions, MoveContact, PipelineEvents, StageContacts } from './operations';
import type { ContactTransitionsQuery } from '../gql/graphql';
import { useI18n } from './i18n';

type Transition = NonNullable<ContactTransitionsQuery['contact']>['availableTransitions'][number];

interface Card {
  id: string;
  name: string;
}

/** The outcome of the last move, shown above the board. */
interface Notice {
  ok: boolean;
  text: string;
}

export function BoardScreen() {
  const { t } = useI18n();
  const board = useQuery(Board);
  const client = useApolloClient();
  const [notice, setNotice] = useState<Notice | null>(null);
  const workflow =
    board.data?.workflows.find((w) => w.isDefault) ?? board.data?.workflows[0] ?? null;

  // A colleague's change: refetch the counts and the columns shown, once per burst.
  const pending = useRef<number | undefined>(undefined);
  useSubscription(PipelineEvents, {
    variables: { workflowId: workflow?.id ?? null },
    skip: !workflow,
    onData: ({ data }) => {
      const kind = data.data?.contactEvents.kind;
      if (kind !== 'STAGE_CHANGED' && kind !== 'CREATED' && kind !== 'UPDATED') return;
      window.clearTimeout(pending.current);
      pending.current = window.setTimeout(() => {
        void client.refetchQueries({ include: [Board, StageContacts] });
      }, 100);
    },
  });
  useEffect(() => () => window.clearTimeout(pending.current), []);

  if (board.error) return <p className="error">{board.error.message}</p>;
  if (!workflow) return <p className="loading">…</p>;
  const stages = [...workflow.stages].sort((a, b) => a.position - b.position);
  return (
    <section className="board">
      <h2>{workflow.name}</h2>
      {notice && (
        <p className={notice.ok ? 'notice' : 'error'} role="status" data-testid="board-notice">
          {notice.text}
        </p>
      )}
      <div className="columns">
        {stages.map((stage) => (
          <Column
            key={stage.id}
            stage={stage}
            stages={stages}
            onNotice={setNotice}
          />
        ))}
      </div>
      <p className="hint">{t.dragHint}</p>
    </section>
  );
}

interface StageInfo {
  id: string;
  code: string;
  name: string;
  color?: string | null;
  contactCount: number;
}

function Column({
  stage,
  stages,
  onNotice,
}: {
  stage: StageInfo;
  stages: StageInfo[];
  onNotice: (notice: Notice) => void;
}) {
  const { t } = useI18n();
  const contacts = useQuery(StageContacts, { variables: { stageId: stage.id } });
  const mover = useMover(onNotice);
  const [over, setOver] = useState(false);
  const connection = contacts.data?.contacts;

  function drop(event: DragEvent) {
    event.preventDefault();
    setOver(false);
    const card = JSON.parse(event.dataTransfer.getData('application/x-contactflow-contact')) as Card;
    void mover.move(card, stage.id);
  }

  return (
    <div
      className={over ? 'column over' : 'column'}
      data-stage={stage.code}
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
    >
      <h3 style={{ borderColor: stage.color ?? undefined }}>
        {stage.name} <span className="count" data-testid={`count-${stage.code}`}>{stage.contactCount}</span>
      </h3>
      <ul>
        {connection?.edges.map(({ node }) => (
          <li
            key={node.id}
            className="card"
            data-contact={node.name}
            draggable
            onDragStart={(event) => {
              event.dataTransfer.setData(
                'application/x-contactflow-contact',
                JSON.stringify({ id: node.id, name: node.name }),
              );
              void mover.prepare(node.id);
            }}
          >
            <a href={`#/contacts/${encodeURIComponent(node.id)}`}>{node.name}</a>
            {node.owner && <small>{node.owner.displayName}</small>}
            {node.isStale && (
              <span className="stale" title={`${t.staleSince} ${node.staleSince ?? ''}`}>
                {t.stale}
              </span>
            )}
            <MoveMenu card={{ id: node.id, name: node.name }} stages={stages} mover={mover} />
          </li>
        ))}
      </ul>
      {connection?.pageInfo.hasNextPage && (
        <button
          onClick={() =>
            void contacts.fetchMore({ variables: { after: connection.pageInfo.endCursor } })
          }
        >
          {t.loadMore}
        </button>
      )}
    </div>
  );
}

/** The transitions a contact may take now, and moving it along one. */
function useMover(onNotice: (notice: Notice) => void) {
  const client = useApolloClient();
  const { t, problem } = useI18n();
  const [moveContact] = useMutation(MoveContact);

  async function transitions(id: string) {
    const { data } = await client.query({
      query: ContactTransitions,
      variables: { id },
      fetchPolicy: 'network-only',
    });
    return data?.contact ?? null;
  }

  return {
    prepare: (id: string) => transitions(id),
    transitions,
    async move(card: Card, toStageId: string) {
      const contact = await transitions(card.id);
      if (!contact) return;
      const option = contact.availableTransitions.find((o) => o.to.id === toStageId);
      if (!option) {
        onNotice({ ok: false, text: `${card.name}: ${problem('ILLEGAL_TRANSITION')}` });
        return;
      }
      if (!option.allowed) {
        const why = option.blockedBy.map(problem).join('; ');
        onNotice({ ok: false, text: `${card.name}: ${t.blocked} — ${why}` });
        return;
      }
      const { data } = await moveContact({
        variables: {
          input: { contactId: card.id, toStageId, expectedVersion: contact.version },
        },
      });
      const errors = data?.moveContactToStage.userErrors ?? [];
      if (errors.length > 0) {
        onNotice({ ok: false, text: `${card.name}: ${errors.map((e) => problem(e.code)).join('; ')}` });
      } else {
        onNotice({ ok: true, text: `${card.name}: ${t.moved} ${option.to.name}` });
      }
      await client.refetchQueries({ include: [Board, StageContacts] });
    },
  };
}

/** The menu way of moving: every transition with what blocks it, chosen from a list. */
function MoveMenu({
  card,
  stages,
  mover,
}: {
  card: Card;
  stages: StageInfo[];
  mover: ReturnType<typeof useMover>;
}) {
  const { t, problem } = useI18n();
  const [options, setOptions] = useState<Transition[] | null>(null);
  if (!options) {
    return (
      <button
        className="menu"
        aria-label={`${t.moveTo} ${card.name}`}
        onClick={() => void mover.transitions(card.id).then((c) => setOptions(c?.availableTransitions ?? []))}
      >
        ⋯
      </button>
    );
  }
  return (
    <select
      aria-label={`${t.moveTo} ${card.name}`}
      defaultValue=""
      onChange={(event) => {
        setOptions(null);
        void mover.move(card, event.target.value);
      }}
      onBlur={() => setOptions(null)}
      autoFocus
    >
      <option value="" disabled>
        {t.moveTo}
      </option>
      {options.map((option) => (
        <option key={option.to.id} value={option.to.id} disabled={!option.allowed}>
          {stages.find((s) => s.id === option.to.id)?.name ?? option.to.name}
          {option.allowed ? '' : ` — ${option.blockedBy.map(problem).join('; ')}`}
        </option>
      ))}
    </select>
  );
}
