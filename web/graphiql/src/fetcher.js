// Sends queries and mutations as GraphQL over HTTP, and subscriptions over one graphql-ws
// socket, each with the headers of GraphiQL's header editor. The socket carries the bearer token
// in its connection_init payload, so a new token (signing in or out) opens a new socket.
import { getOperationAST, parse } from 'graphql';
import { createClient } from 'graphql-ws';
import { session } from './session.js';

function header(headers, name) {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : String(headers[key]);
}

// GraphiQL reads a tab's operations a moment after the tab is shown, so a quick run can carry
// the previous tab's operationName or parsed document. The text sent is always the current
// one: parse it here, and keep the operationName only if it names one of its operations.
function current(params) {
  let document;
  try {
    document = parse(params.query);
  } catch {
    return { params, kind: /^\s*subscription\b/m.test(params.query) ? 'subscription' : 'query' };
  }
  const operations = document.definitions.filter((d) => d.kind === 'OperationDefinition');
  let operationName = params.operationName ?? undefined;
  if (operationName && !operations.some((o) => o.name?.value === operationName)) {
    operationName = operations.length === 1 ? operations[0].name?.value : undefined;
  }
  const operation = getOperationAST(document, operationName);
  return {
    params: { ...params, operationName: operationName ?? null },
    kind: operation?.operation ?? 'query',
  };
}

function closeMessage(event) {
  if (event && typeof event.code === 'number') {
    const reason = event.code === 4403 ? 'forbidden: sign in first' : event.reason;
    return `WebSocket closed with code ${event.code}${reason ? ` (${reason})` : ''}`;
  }
  return event instanceof Error ? event.message : 'WebSocket error';
}

export function createFetcher({ httpUrl, wsUrl }) {
  let socket = null;

  function client(authorization) {
    const key = authorization ?? '';
    if (socket?.key === key) return socket.client;
    socket?.client.dispose();
    socket = {
      key,
      client: createClient({
        url: wsUrl,
        lazy: true,
        retryAttempts: 0,
        connectionParams: authorization ? { authorization } : {},
      }),
    };
    return socket.client;
  }

  // The iterator graphql-ws returns, with a socket that closes on it turned into one error
  // result. Returned as it is rather than wrapped in an async generator: GraphiQL's Stop (and a
  // tab switch) calls return(), which must reach graphql-ws at once so that it sends `complete`.
  // A generator's return() would wait for the next event first, leaving the subscription open.
  function subscribe(params, authorization) {
    const iterator = client(authorization).iterate(params);
    let ended = false;
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next() {
        if (ended) return { done: true, value: undefined };
        try {
          return await iterator.next();
        } catch (event) {
          ended = true;
          return { done: false, value: { errors: [{ message: closeMessage(event) }] } };
        }
      },
      async return(value) {
        ended = true;
        await iterator.return?.(value);
        return { done: true, value };
      },
      async throw(error) {
        ended = true;
        await iterator.return?.();
        throw error;
      },
    };
  }

  return async (params, options = {}) => {
    const headers = { ...(options.headers ?? {}) };
    const signedIn = session.get();
    if (signedIn && header(headers, 'authorization') === undefined) {
      headers.Authorization = signedIn.authorization;
    }
    const { params: request, kind } = current(params);
    if (kind === 'subscription') {
      return subscribe(request, header(headers, 'authorization'));
    }
    const response = await fetch(httpUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        accept: 'application/graphql-response+json, application/json',
        'content-type': 'application/json',
        ...headers,
      },
      body: JSON.stringify(request),
    });
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      return { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 200)}` }] };
    }
  };
}
