import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
// The hub started by `npm run dev` (or `npm start`) answers the API; Vite only serves the client.
// Run the hub with PUBLIC_URL=http://localhost:5173 so Discord's redirect and the socket origin
// check point at this dev server.
const hub = process.env.HUB_URL ?? 'http://localhost:3000';

export default defineConfig({
  root: here('.'),
  // No svelte.config.js: the defaults (runes, TypeScript in <script lang="ts">) are all the client needs.
  plugins: [svelte({ configFile: false })],
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
