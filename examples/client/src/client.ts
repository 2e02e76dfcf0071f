// A small typed client of contactflow, as a frontend would write one: every operation is a
// typed document generated from schema.graphql and examples/operations, so a renamed field, a
// missing variable or a wrong enum value fails `tsc`, not the user.
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient } from 'graphql-ws';
import {
  ContactsByStageDocument,
  MoveContactToStageDocument,
  RemindersDocument,
  SaveContactWithPendingDocument,
  SignInDocument,
} from './gql/graphql';
import type {
  ContactsByStageQuery,
  RemindersSubscription,
  SaveContactInput,
  UserErrorCode,
} from './gql/graphql';

/** A top-level GraphQL error: the request as a whole failed (`extensions.code`). */
export class GraphQLRequestError extends Error {
  constructor(readonly codes: string[], message: string) {
    super(message);
  }
}

/** A rule of the domain refused a mutation: nothing was written (`userErrors`). */
export class UserErrors extends Error {
  constructor(readonly errors: ReadonlyArray<{ code: UserErrorCode; message: string; field: string[] | null }>) {
    super(errors.map((e) => `${e.code}: ${e.message}`).join('; '));
  }
}

type GraphQLBody<R> = {
  data?: R | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
};

export class Contactflow {
  private token: string | null = null;

  constructor(private readonly httpUrl: string, private readonly wsUrl: string) {}

  async request<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
    const response = await fetch(this.httpUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: JSON.stringify({ query: print(document), variables }),
    });
    const body = (await response.json()) as GraphQLBody<R>;
    if (body.errors?.length) {
      const codes = body.errors.map((e) => e.extensions?.code ?? 'UNKNOWN');
      throw new GraphQLRequestError(codes, body.errors.map((e) => e.message).join('; '));
    }
    if (!body.data) throw new GraphQLRequestError(['UNKNOWN'], `no data (HTTP ${response.status})`);
    return body.data;
  }

  async signIn(login: string, password: string): Promise<string> {
    const { login: payload } = await this.request(SignInDocument, { input: { login, password } });
    if (!payload.token) throw new UserErrors(payload.userErrors.map((e) => ({ ...e, field: null })));
    this.token = payload.token;
    return payload.operator?.displayName ?? login;
  }

  /** Every contact in the given stages, page by page. */
  async *contactsByStage(stageIds: string[]): AsyncGenerator<ContactsByStageQuery['contacts']['edges'][number]['node']> {
    let after: string | null = null;
    do {
      const page: ContactsByStageQuery = await this.request(ContactsByStageDocument, {
        stageIds,
        first: 100,
        after,
      });
      for (const edge of page.contacts.edges) yield edge.node;
      after = page.contacts.pageInfo.hasNextPage ? page.contacts.pageInfo.endCursor : null;
    } while (after);
  }

  async saveContact(input: SaveContactInput) {
    const { saveContact } = await this.request(SaveContactWithPendingDocument, { input });
    if (saveContact.userErrors.length) throw new UserErrors(saveContact.userErrors);
    return saveContact;
  }

  async moveToStage(contactId: string, toStageId: string, expectedVersion: number) {
    const { moveContactToStage } = await this.request(MoveContactToStageDocument, {
      input: { contactId, toStageId, expectedVersion },
    });
    if (moveContactToStage.userErrors.length) throw new UserErrors(moveContactToStage.userErrors);
    return moveContactToStage;
  }

  /** The signed-in operator's reminders, as they fall due and clear. */
  reminders(onEvent: (event: RemindersSubscription['reminders']) => void): () => void {
    const client = createClient({
      url: this.wsUrl,
      connectionParams: { authorization: `Bearer ${this.token ?? ''}` },
    });
    const unsubscribe = client.subscribe<RemindersSubscription>(
      { query: print(RemindersDocument) },
      {
        next: ({ data }) => data && onEvent(data.reminders),
        error: (error) => console.error('reminders:', error),
        complete: () => undefined,
      },
    );
    return () => {
      unsubscribe();
      void client.dispose();
    };
  }
}
