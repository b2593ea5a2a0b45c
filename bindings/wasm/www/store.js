// A small key-value store in IndexedDB (one database per page, one object store per
// purpose). Every write is one transaction, done when the promise resolves.
function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

export async function openStore(database, stores) {
  const open = indexedDB.open(database, 1);
  open.onupgradeneeded = () => {
    for (const s of stores) open.result.createObjectStore(s);
  };
  const db = await request(open);
  const tx = (store, mode, fn) =>
    new Promise((resolve, reject) => {
      const t = db.transaction(store, mode);
      const result = fn(t.objectStore(store));
      t.oncomplete = () => resolve(result.result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error ?? new Error('aborted'));
    });
  return {
    get: (store, key) => tx(store, 'readonly', (s) => s.get(key)),
    put: (store, key, value) => tx(store, 'readwrite', (s) => s.put(value, key)),
    delete: (store, key) => tx(store, 'readwrite', (s) => s.delete(key)),
    keys: (store) => tx(store, 'readonly', (s) => s.getAllKeys()),
    /** Puts `value` under `key` unless the key exists; resolves to whether it was put. */
    async putNew(store, key, value) {
      return new Promise((resolve, reject) => {
        const t = db.transaction(store, 'readwrite');
        const s = t.objectStore(store);
        let added = false;
        const r = s.add(value, key);
        r.onsuccess = () => (added = true);
        r.onerror = (e) => {
          if (r.error?.name === 'ConstraintError') e.preventDefault(); // exists: not an error here
        };
        t.oncomplete = () => resolve(added);
        t.onabort = () => (r.error?.name === 'ConstraintError' ? resolve(false) : reject(t.error));
      });
    },
  };
}
