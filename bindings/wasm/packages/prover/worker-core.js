// The worker side: loads the proving key once, then proves on request. `m` is the
// initialised wasm-bindgen module, `post` sends a message to the main thread.
export function serve(m, post) {
  let prover;
  return (msg) => {
    const { id } = msg;
    try {
      if (msg.type === 'load') {
        post({ type: 'stage', id, stage: 'loading-key' });
        try {
          prover = new m.MedzkProver(msg.provingKey, msg.vkHash);
        } catch (e) {
          post({ type: 'error', id, code: 'invalid-key', message: e.message });
          return;
        }
        post({ type: 'loaded', id, statement: prover.statement, keyHash: prover.keyHash });
      } else if (msg.type === 'path') {
        post({ type: 'path', id, path: m.pathFromSubtree(msg.subtree, msg.index) });
      } else if (msg.type === 'prove') {
        if (!prover) throw new Error('no proving key loaded');
        post({ type: 'stage', id, stage: 'proving' });
        const presentation = prover.prove(...msg.args);
        post({ type: 'proved', id, presentation }, [presentation.buffer]);
      } else {
        throw new Error(`unknown request ${msg.type}`);
      }
    } catch (e) {
      post({ type: 'error', id, code: 'refused', message: e.message });
    }
  };
}
