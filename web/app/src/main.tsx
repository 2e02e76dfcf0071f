import { createRoot } from 'react-dom/client';
import { ApolloProvider } from '@apollo/client/react';
import { client } from './apollo';
import { App } from './App';
import './style.css';

createRoot(document.getElementById('app')!).render(
  <ApolloProvider client={client}>
    <App />
  </ApolloProvider>,
);
