// The signed-in operator's open to-dos ("Crea attività" put them here), soonest first.
import { useQuery } from '@apollo/client/react';
import { MyTodos } from './operations';
import { useI18n } from './i18n';

export function TodosScreen() {
  const { t, moment } = useI18n();
  const todos = useQuery(MyTodos, { fetchPolicy: 'cache-and-network' });
  const connection = todos.data?.todos;
  if (todos.error) return <p className="error">{todos.error.message}</p>;
  if (!connection) return <p className="loading">…</p>;
  return (
    <section className="todos">
      <h2>{t.todos} ({connection.totalCount})</h2>
      {connection.edges.length === 0 && <p>{t.noTodos}</p>}
      <ul data-testid="todos">
        {connection.edges.map(({ node }) => (
          <li key={node.id}>
            <strong>{node.title}</strong> {node.type && <span>{node.type.name}</span>}{' '}
            {node.contact && <a href={`#/contacts/${encodeURIComponent(node.contact.id)}`}>{node.contact.name}</a>}{' '}
            <small>{t.deadline}: {moment(node.dueAt)}</small>
            {node.description && <p>{node.description}</p>}
          </li>
        ))}
      </ul>
      {connection.pageInfo.hasNextPage && (
        <button onClick={() => void todos.fetchMore({ variables: { after: connection.pageInfo.endCursor } })}>
          {t.loadMore}
        </button>
      )}
    </section>
  );
}
