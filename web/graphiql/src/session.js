// The bearer token of the operator signed in through the "Sign in" panel. Tabs whose headers
// carry no Authorization use it, so every tab and the subscription socket act as that operator.
let current = null;
const listeners = new Set();

export const session = {
  get() {
    return current;
  },
  set(value) {
    current = value;
    for (const listener of listeners) listener(current);
  },
  subscribe(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
