// Monaco runs its language services in web workers; these are bundled beside the page's script
// and served from the same directory, so no worker is fetched from elsewhere.
const base = new URL('./', import.meta.url);

globalThis.MonacoEnvironment = {
  getWorker(_id, label) {
    const name = label === 'json' ? 'json' : label === 'graphql' ? 'graphql' : 'editor';
    return new Worker(new URL(`${name}.worker.js`, base));
  },
};
