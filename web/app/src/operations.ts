// Every operation the app sends, in one place. GraphQL Code Generator (build.mjs) reads this
// file and writes ../gql: a typed document per operation and persisted-documents.json, the
// manifest the server trusts; the app sends each operation by its hash, never its text.
import { graphql } from '../gql';

export const SignIn = graphql(`
  mutation SignIn($input: LoginInput!) {
    login(input: $input) {
      token
      expiresAt
      refreshToken
      operator { id displayName locale role }
      userErrors { code message }
    }
  }
`);

export const RefreshSession = graphql(`
  mutation RefreshSession($input: RefreshTokenInput!) {
    refreshToken(input: $input) {
      token
      expiresAt
      refreshToken
      userErrors { code message }
    }
  }
`);

export const Me = graphql(`
  query Me {
    me { id login displayName locale role }
  }
`);

export const Board = graphql(`
  query Board {
    workflows {
      id
      name
      isDefault
      stages { id code name color position contactCount staleAfterDays }
    }
  }
`);

export const StageContacts = graphql(`
  query StageContacts($stageId: ID!, $first: Int = 20, $after: String) {
    contacts(first: $first, after: $after, filter: { stageIds: [$stageId] }, orderBy: { field: UPDATED_AT, direction: DESC }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id
          version
          name
          isStale
          staleSince
          stage { id }
          owner { id displayName }
        }
      }
    }
  }
`);

export const ContactTransitions = graphql(`
  query ContactTransitions($id: ID!) {
    contact(id: $id) {
      id
      version
      availableTransitions {
        allowed
        blockedBy
        to { id code name }
      }
    }
  }
`);

export const ContactMask = graphql(`
  query ContactMask($id: ID!) {
    contact(id: $id) {
      id
      version
      name
      email
      phone
      isStale
      owner { id displayName }
      workflow { id name logTabVisible }
      stage { id code name color }
      stageEnteredAt
      allowedActivityTypes { id code name }
      availableTransitions {
        allowed
        blockedBy
        to { id code name }
      }
      activities(first: 50) {
        edges {
          node {
            id
            type { id name }
            performedAt
            operator { id displayName }
            description
          }
        }
      }
      pendingActivities(status: [OPEN]) {
        id
        pendingSince
        type { id name }
        description
        dueAt
        assignee { id displayName }
        reminderStartsAt
        reminderEndsAt
        createTodo
      }
      stageLog(first: 50) {
        edges {
          node {
            id
            from { id name }
            to { id name }
            operator { id displayName }
            changedAt
          }
        }
      }
    }
  }
`);

export const Operators = graphql(`
  query Operators {
    operators { id displayName active }
  }
`);

export const RecordActivity = graphql(`
  mutation RecordActivity($input: SaveContactInput!) {
    saveContact(input: $input) {
      contact { id version }
      activity { id }
      pendingActivity { id }
      todo { id }
      userErrors { field code message }
    }
  }
`);

export const MoveContact = graphql(`
  mutation MoveContact($input: MoveContactToStageInput!) {
    moveContactToStage(input: $input) {
      contact { id version stage { id code name color } stageEnteredAt }
      stageChange { id }
      userErrors { field code message }
    }
  }
`);

export const MyTodos = graphql(`
  query MyTodos($first: Int = 50, $after: String) {
    todos(first: $first, after: $after, filter: { status: [OPEN] }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id
          title
          description
          dueAt
          type { id name }
          contact { id name }
        }
      }
    }
  }
`);

export const Reminders = graphql(`
  subscription Reminders {
    reminders {
      kind
      at
      reminder {
        id
        state
        endsAt
        dueAt
        contact { id name }
        pendingActivity { id description type { id name } }
      }
    }
  }
`);

export const DismissReminder = graphql(`
  mutation DismissReminder($input: DismissReminderInput!) {
    dismissReminder(input: $input) {
      reminder { id state }
      userErrors { code message }
    }
  }
`);

export const SnoozeReminder = graphql(`
  mutation SnoozeReminder($input: SnoozeReminderInput!) {
    snoozeReminder(input: $input) {
      reminder { id state snoozedUntil }
      userErrors { code message }
    }
  }
`);

export const PipelineEvents = graphql(`
  subscription PipelineEvents($workflowId: ID) {
    contactEvents(workflowId: $workflowId) {
      cursor
      kind
      contact { id version stage { id } }
    }
  }
`);
