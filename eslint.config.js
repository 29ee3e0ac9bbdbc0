// ESLint flat config: typescript-eslint's type-checked rules catch floating promises
// and unsafe `any` flows, which matter most in the hub's and engine's async paths.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// ── Import boundaries (docs/architecture.md, "Boundaries") ────────────────────────────────────
// Checked with ESLint's own `no-restricted-imports`: import specifiers are relative, so each
// pattern is a regex over the specifier, `(../)+<folder>/…`, which holds at any folder depth.
// ESLint replaces (does not merge) a rule's options when two config objects match one file, so
// every file group below gets its complete list and the groups do not overlap.

/** Each service's faces: what other folders may import of it. */
const FACES = {
  bidding: ['index.ts', 'back-office.ts'],
  hub: ['index.ts'],
  gateway: ['index.ts'],
  orchestrator: ['index.ts', 'ledger.ts', 'backup.ts'],
};
const SERVICES = Object.keys(FACES);
const UP = '^(?:\\.\\./)+';
const escape = (s) => s.replace(/[.]/g, '\\.');

/** Another service's inner files (anything but its faces). */
const innerOf = (service) => ({
  regex: `${UP}${service}/(?!(?:${FACES[service].map(escape).join('|')})$)`,
  message: `Import ${service}/ through its face (${FACES[service].map((f) => `${service}/${f}`).join(', ')}), not its inner files.`,
});
/** A whole folder (or root file), face or not. */
const anyOf = (folder, why) => ({ regex: `${UP}${folder}(?:/|$)`, message: why });
const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

const CLIENT_PATTERNS = [
  ...[...SERVICES, 'tools', 'test', 'main\\.ts'].map((f) =>
    anyOf(f, 'clients/src imports only common/contracts/ of the server side (docs/architecture.md).'),
  ),
  {
    regex: `${UP}common/(?!contracts/)`,
    message: 'clients/src imports only common/contracts/ of common/ (the wire shapes and their schemas).',
  },
];

const boundaries = [
  // (b) A service reaches another only through its faces; its own files, tests included, are its own.
  ...SERVICES.map((service) => ({
    files: [`${service}/**/*.ts`, `${service}/**/*.tsx`],
    rules: restrict(SERVICES.filter((s) => s !== service).map(innerOf)),
  })),
  // The entry point, the tools and the cross-service tests (test/, test/support/ included): faces only.
  { files: ['main.ts', 'tools/**/*.ts', 'test/**/*.ts'], rules: restrict(SERVICES.map(innerOf)) },
  // (c) common/ is below every service: it imports none (the one exception is the next entry).
  {
    files: ['common/**/*.ts'],
    ignores: ['common/**/*.test.ts', 'common/hub-publisher-for.ts'],
    rules: restrict(
      [...SERVICES, 'clients', 'tools', 'test', 'main\\.ts'].map((f) =>
        anyOf(f, 'common/ is shared by every service and imports none of them (docs/architecture.md).'),
      ),
    ),
  },
  // Documented exception: choosing a hub publisher from a URL needs the hub's publishers.
  {
    files: ['common/hub-publisher-for.ts'],
    rules: restrict([
      ...SERVICES.filter((s) => s !== 'hub').map((f) =>
        anyOf(f, 'common/ imports no service but the hub face here.'),
      ),
      innerOf('hub'),
    ]),
  },
  // common/'s own tests may start services, through their faces and test/support.
  { files: ['common/**/*.test.ts'], rules: restrict(SERVICES.map(innerOf)) },
  // (a) The browser clients see only the wire contracts (their tests too); the pages no Node built-ins.
  { files: ['clients/src/**/*.test.ts'], rules: restrict(CLIENT_PATTERNS) },
  {
    files: ['clients/src/**/*.ts'],
    ignores: ['clients/src/**/*.test.ts'],
    rules: restrict([
      ...CLIENT_PATTERNS,
      { regex: '^node:', message: 'clients/src runs in the browser: no Node built-ins.' },
    ]),
  },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'test/artifacts/**', 'clients/dist/**', 'dist/**', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  ...boundaries,
);
