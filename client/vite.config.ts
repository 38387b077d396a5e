import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
// The hub started by `npm run dev` (or `npm start`) answers the API; Vite only serves the client.
// Run the hub with PUBLIC_URL=http://localhost:5173 so Discord's redirect and the socket origin
// check point at this dev server.
const hub = process.env.HUB_URL ?? 'http://localhost:3000';

/**
 * Writes x.js.br and x.js.gz next to every script and stylesheet of the build, at the best
 * quality (the hub serves them to browsers that accept them: server/app.ts, serveClient).
 */
function precompress(): Plugin {
  return {
    name: 'dtx-precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      const dir = options.dir ?? here('../dist/client');
      for (const name of Object.keys(bundle)) {
        if (!/\.(js|css)$/.test(name)) continue;
        const file = path.join(dir, name);
        const data = fs.readFileSync(file);
        const brotli = { [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length };
        fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(data, { params: brotli }));
        fs.writeFileSync(`${file}.gz`, zlib.gzipSync(data, { level: zlib.constants.Z_BEST_COMPRESSION }));
      }
    },
  };
}

export default defineConfig({
  root: here('.'),
  // No svelte.config.js: the defaults (runes, TypeScript in <script lang="ts">) are all the client needs.
  plugins: [svelte({ configFile: false }), precompress()],
  resolve: {
    // The client shares its schemas and the REST contract with the server.
    alias: { $shared: here('../shared') },
  },
  server: {
    port: 5173,
    fs: { allow: [here('..')] },
    proxy: {
      '/api': hub,
      '/auth': hub,
      '/healthz': hub,
      '/socket.io': { target: hub, ws: true },
    },
  },
  build: {
    outDir: here('../dist/client'),
    emptyOutDir: true,
  },
});
