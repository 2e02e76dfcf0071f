// GraphiQL for contactflow: the server renders the page with a small JSON configuration (the
// endpoint path, whether demo data is loaded, variables for the example tabs), and this script
// mounts GraphiQL with a "Sign in" panel, a fetcher for HTTP and WebSocket, and example tabs.
import 'graphiql/style.css';
import './style.css';
import './workers.js';
import { GraphiQL } from 'graphiql';
import { createRoot } from 'react-dom/client';
import { createFetcher } from './fetcher.js';
import { createSignInPanel, SignInIcon } from './sign-in.jsx';
import contactsByStage from '../../../examples/operations/ContactsByStage.graphql';
import reminders from '../../../examples/operations/Reminders.graphql';
import contactEvents from '../../../examples/operations/ContactEvents.graphql';
import saveContact from '../../../examples/operations/SaveContactWithPending.graphql';
import moveStage from '../../../examples/operations/MoveContactToStage.graphql';
import pipelineReport from '../../../examples/operations/PipelineReport.graphql';
import moveContacts from '../../../examples/operations/MoveContactsToStage.graphql';

const config = JSON.parse(document.getElementById('contactflow-config').textContent);
const httpUrl = new URL(config.graphqlPath, window.location.href);
const wsUrl = new URL(httpUrl);
wsUrl.protocol = httpUrl.protocol === 'https:' ? 'wss:' : 'ws:';

const json = (value) => JSON.stringify(value, null, 2);
// In the order of the README's walkthrough: read, save, watch the save's reminder arrive, move;
// then the analyst's flow report, the manager's bulk move, and the board's live feed.
const tabs = [
  { query: contactsByStage, variables: json(config.examples.contactsByStage) },
  { query: saveContact, variables: json(config.examples.saveContact) },
  { query: reminders },
  { query: moveStage, variables: json(config.examples.moveStage) },
  { query: pipelineReport, variables: json(config.examples.pipelineReport) },
  { query: moveContacts, variables: json(config.examples.moveContacts) },
  { query: contactEvents, variables: json({ workflowId: config.examples.pipelineReport.workflowId, after: null }) },
];

const signIn = {
  title: 'Sign in',
  icon: SignInIcon,
  content: createSignInPanel({ httpUrl: httpUrl.pathname, demo: config.demo }),
};

function App() {
  return (
    <GraphiQL
      fetcher={createFetcher({ httpUrl: httpUrl.href, wsUrl: wsUrl.href })}
      defaultTabs={tabs}
      // GraphiQL opens its first tab with initialQuery and initialVariables, not with the first
      // of defaultTabs: without these, that tab shows no variables and sends variables: null.
      initialQuery={tabs[0].query}
      initialVariables={tabs[0].variables}
      plugins={[signIn]}
      visiblePlugin={signIn}
      defaultEditorToolsVisibility="variables"
    >
      <GraphiQL.Logo>contactflow</GraphiQL.Logo>
    </GraphiQL>
  );
}

createRoot(document.getElementById('graphiql')).render(<App />);
