// Where the API is. Served by contactflow at /app, the page carries its configuration as
// inline JSON; a team serving this same build from its own origin writes its own page with
// the API's address (and lists its origin in the server's CONTACTFLOW_CORS_ORIGINS).
export interface AppConfig {
  /** The GraphQL endpoint, absolute or relative to the page. */
  endpoint: string;
  /** Whether the server runs the demo data (the sign-in form then says so). */
  demo: boolean;
}

function read(): AppConfig {
  const element = document.getElementById('contactflow-config');
  const given = element?.textContent ? (JSON.parse(element.textContent) as Partial<AppConfig>) : {};
  return { endpoint: given.endpoint ?? '/graphql', demo: given.demo ?? false };
}

export const config = read();

/** The endpoint as an absolute http(s) URL. */
export const httpEndpoint = new URL(config.endpoint, window.location.href).toString();

/** The same endpoint for WebSocket (graphql-transport-ws). */
export const wsEndpoint = httpEndpoint.replace(/^http/, 'ws');
