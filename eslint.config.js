// ESLint for the whole project: TypeScript everywhere, Svelte in the client; formatting is Prettier's.
import js from '@eslint/js';
import globals from 'globals';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';

/** `x as unknown as T` hides a type error; only the edges that read other services' payloads may. */
const noDoubleCast = {
  selector: "TSAsExpression > TSAsExpression[typeAnnotation.type='TSUnknownKeyword']",
  message: 'a double cast hides a type error: parse the value (zod) or type it properly',
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-syntax': ['error', noDoubleCast],
      // A closure may read a variable that is assigned once, later: that is not a constant.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
    // State lives in $state runes; the Maps and URLs the client builds are temporaries inside a
    // function or a $derived, which this rule cannot tell from state.
    // `let { … } = $props()` is how Svelte declares props: its own prefer-const knows that.
    rules: { 'svelte/prefer-svelte-reactivity': 'off', 'prefer-const': 'off', 'svelte/prefer-const': 'error' },
  },
  {
    // Upstream payloads (Steam, OpenDota, Discord) and other packages' internals arrive untyped.
    files: ['server/steam/*.client.ts', 'server/steam/json.ts', 'server/steam/upstream.ts', 'server/auth/discord.ts', 'server/realtime/internals.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', 'no-restricted-syntax': 'off' },
  },
  {
    // Tests and benchmarks drive the hub from outside: loose JSON answers, fakes of outside services.
    files: ['tests/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', 'no-restricted-syntax': 'off' },
  },
);
