// Sends queries and mutations as GraphQL over HTTP, and subscriptions over one graphql-ws
// socket, each with the headers of GraphiQL's header editor. The socket carries the bearer token
// in its connection_init payload, so a new token (signing in or out) opens a new socket.
import { getOperationAST } from 'graphql';
import { createClient } from 'graphql-ws';
import { session } from './session.js';

function header(headers, name) {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : String(headers[key]);
}

function isSubscription(params, documentAST) {
  if (!documentAST) return /^\s*subscription\b/m.test(params.query);
  const operation = getOperationAST(documentAST, params.operationName ?? undefined);
  return operation?.operation === 'subscription';
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

  async function* subscribe(params, authorization) {
    try {
      yield* client(authorization).iterate(params);
    } catch (event) {
      yield { errors: [{ message: closeMessage(event) }] };
    }
  }

  return async (params, options = {}) => {
    const headers = { ...(options.headers ?? {}) };
    const signedIn = session.get();
    if (signedIn && header(headers, 'authorization') === undefined) {
      headers.Authorization = signedIn.authorization;
    }
    if (isSubscription(params, options.documentAST)) {
      return subscribe(params, header(headers, 'authorization'));
    }
    const response = await fetch(httpUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        accept: 'application/graphql-response+json, application/json',
        'content-type': 'application/json',
        ...headers,
      },
      body: JSON.stringify(params),
    });
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      return { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 200)}` }] };
    }
  };
}
