// A static server for the browser tests: the built site (bindings/wasm/dist) at /, the
// golden corpus at /data/, and files the test registers at /extra/<name>.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.wasm': 'application/wasm', '.ts': 'text/plain',
};

// Cross-origin isolated, as a wallet site should be served: the prover then uses threads.
const ISOLATED = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

export function serve(roots, extra = new Map()) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname.startsWith('/extra/') && extra.has(url.pathname.slice(7))) {
      const body = extra.get(url.pathname.slice(7));
      res.writeHead(200, { ...ISOLATED, 'content-type': typeof body === 'string' ? 'application/json' : 'application/octet-stream' });
      res.end(body);
      return;
    }
    for (const [prefix, dir] of roots) {
      if (!url.pathname.startsWith(prefix)) continue;
      const file = path.join(dir, decodeURIComponent(url.pathname.slice(prefix.length)));
      if (!file.startsWith(dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) continue;
      res.writeHead(200, { ...ISOLATED, 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      fs.createReadStream(file).pipe(res);
      return;
    }
    res.writeHead(404);
    res.end('not found');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
