// The phone's own copy of the roster and its queue of unsent events, in IndexedDB
// (survives reloads and a browser restart, unlike memory; larger and safer than localStorage).

const VERSION = 1;

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function done(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

export async function openStore(name) {
  const opening = indexedDB.open(name, VERSION);
  opening.onupgradeneeded = () => {
    const db = opening.result;
    db.createObjectStore("state");
    // Keys grow with each event, so reading the store gives the queue in order.
    db.createObjectStore("queue", { autoIncrement: true });
  };
  const db = await promised(opening);

  function store(name, mode) {
    const transaction = db.transaction(name, mode);
    return { transaction, objects: transaction.objectStore(name) };
  }

  return {
    async read(key) {
      return promised(store("state", "readonly").objects.get(key));
    },
    async write(key, value) {
      const { transaction, objects } = store("state", "readwrite");
      objects.put(value, key);
      await done(transaction);
    },
    async enqueue(event) {
      const { transaction, objects } = store("queue", "readwrite");
      objects.add(event);
      await done(transaction);
    },
    // The oldest `limit` events, each with its key for removal once the server has them.
    async oldest(limit) {
      const { objects } = store("queue", "readonly");
      const [keys, events] = await Promise.all([
        promised(objects.getAllKeys(null, limit)),
        promised(objects.getAll(null, limit)),
      ]);
      return keys.map((key, index) => ({ key, event: events[index] }));
    },
    async all() {
      return promised(store("queue", "readonly").objects.getAll());
    },
    async remove(keys) {
      const { transaction, objects } = store("queue", "readwrite");
      for (const key of keys) objects.delete(key);
      await done(transaction);
    },
  };
}
