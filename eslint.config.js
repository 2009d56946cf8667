import tseslint from 'typescript-eslint';
import importPlugin from 'eslint-plugin-import';

/**
 * server/'s layers, top to bottom (see server/README.md). A folder may import from its own layer and
 * the layers below; `apart` layers' folders may not import each other either.
 */
const LAYERS = [
  { name: 'entry', paths: ['main.ts', 'cli.ts', 'service.ts', 'confirm-cli.ts', 'owner-change.ts', 'docs'] },
  { name: 'surfaces', paths: ['http', 'admin'], apart: true },
  { name: 'protocol', paths: ['mcp'] },
  { name: 'tools', paths: ['tools'] },
  { name: 'rules', paths: ['safety', 'tokens'], apart: true },
  { name: 'backends', paths: ['backends'] },
  { name: 'config', paths: ['config'] },
  { name: 'base', paths: ['vocabulary.ts', 'util', 'errors', 'log.ts', 'metrics.ts'] },
];
const at = (p) => `./server/${p}`;
const layerZones = LAYERS.flatMap((layer, i) =>
  layer.paths.map((path) => ({
    target: at(path),
    from: [
      ...LAYERS.slice(0, i).flatMap((l) => l.paths),
      ...(layer.apart ? layer.paths.filter((p) => p !== path) : []),
    ].map(at),
    message: `server/${path} is in the ${layer.name} layer: it may import only from its own layer and the layers below (server/README.md).`,
  })),
);

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'bench/**',
      'scripts/**',
      'webui/vite.config.ts',
      'eslint.config.js',
      'vitest.config.ts',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./test/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['server/**/*.ts'],
    plugins: { import: importPlugin },
    settings: { 'import/resolver': { typescript: { project: './tsconfig.json' } } },
    rules: { 'import/no-restricted-paths': ['error', { zones: layerZones }] },
  },
  {
    // Tests read JSON responses of many shapes; the unsafe-any rules would only add casts there.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // The WebGUI page (Preact, browser): type-aware like the server, against its own tsconfig (DOM, JSX).
    files: ['webui/**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: { project: ['./webui/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
  },
);
