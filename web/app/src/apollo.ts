// The Apollo Client: one normalised cache, queries and mutations over HTTP, subscriptions over
// WebSocket (graphql-transport-ws), every operation sent by the sha256 of its text from the
// manifest GraphQL Code Generator wrote (so the server may run only its trusted documents).
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { relayStylePagination } from '@apollo/client/utilities';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { getOperationName } from '@apollo/client/utilities/internal';
import type { DocumentNode } from 'graphql';
import { Kind, OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';
import { Observable, from, mergeMap, throwError } from 'rxjs';
import * as operations from './operations';
import { currentToken, refresh, signOut } from './auth';
import { httpEndpoint, wsEndpoint } from './config';

/** Each operation's hash, by its name: the cache hands links documents it rewrote. */
const hashes = new Map<string, string>(
  Object.values(operations).map((document) => {
    const typed = document as unknown as DocumentNode & { __meta__: { hash: string } };
    // The manifest names each document `sha256:<hex>`; the persistedQuery extension sends the hex.
    return [getOperationName(typed) ?? '', typed.__meta__.hash.replace(/^sha256:/, '')];
  }),
);

export function hashOf(document: DocumentNode): string {
  const hash = hashes.get(getOperationName(document) ?? '');
  if (!hash) throw new Error(`${getOperationName(document)} is not one of the app's operations`);
  return hash;
}

/** The bearer token on every HTTP request. */
const auth = new SetContextLink((prevContext) => {
  const token = currentToken();
  return token
    ? { headers: { ...prevContext.headers, authorization: `Bearer ${token}` } }
    : {};
});

/** UNAUTHENTICATED: refresh the session once and send the operation again. */
const renew = new ErrorLink(({ error, operation, forward }) => {
  const expired =
    CombinedGraphQLErrors.is(error) &&
    error.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
  if (!expired || operation.operationName === 'SignIn') return;
  return from(refresh()).pipe(
    mergeMap((renewed) => (renewed ? forward(operation) : throwError(() => error))),
  );
});

/** Sends the hash instead of the text (the server knows every document of the app). */
const persisted = new PersistedQueryLink({ generateHash: hashOf });

const http = new HttpLink({ uri: httpEndpoint });

/** One socket for every subscription; it signs in with the token of the moment. */
export const socket = createClient({
  url: wsEndpoint,
  lazy: true,
  retryAttempts: Infinity,
  shouldRetry: () => true,
  connectionParams: async () => {
    if (!currentToken()) await refresh();
    return { authorization: `Bearer ${currentToken() ?? ''}` };
  },
  on: {
    closed: (event) => {
      // 4403: the token expired or the operator's access ended; refresh before reconnecting.
      if ((event as CloseEvent).code === 4403) {
        void refresh().then((renewed) => renewed || signOut());
      }
    },
  },
});

/** Subscriptions by hash over the socket. */
const ws = new ApolloLink(
  (operation) =>
    new Observable((observer) =>
      socket.subscribe(
        {
          operationName: operation.operationName,
          query: '',
          variables: operation.variables,
          extensions: { persistedQuery: { version: 1, sha256Hash: hashOf(operation.query) } },
        },
        {
          next: (value) => observer.next(value as ApolloLink.Result),
          error: (error) => observer.error(error),
          complete: () => observer.complete(),
        },
      ),
    ),
);

function isSubscription(document: DocumentNode): boolean {
  return document.definitions.some(
    (definition) =>
      definition.kind === Kind.OPERATION_DEFINITION &&
      definition.operation === OperationTypeNode.SUBSCRIPTION,
  );
}

export const client = new ApolloClient({
  link: ApolloLink.split(
    ({ query }) => isSubscription(query),
    ws,
    ApolloLink.from([renew, auth, persisted, http]),
  ),
  cache: new InMemoryCache({
    typePolicies: {
      Query: {
        fields: {
          // Each stage's column and the to-do list grow a page at a time.
          contacts: relayStylePagination(['filter', 'orderBy']),
          todos: relayStylePagination(['filter']),
        },
      },
      Contact: {
        fields: {
          activities: relayStylePagination(),
          stageLog: relayStylePagination(),
        },
      },
    },
  }),
});
