import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

/**
 * The WebGUI page's bundle: one ES module and one stylesheet with fixed names, since the .page adds
 * them through Unraid's autov(), which busts caches with the file's mtime (no hash in the name).
 */
export default defineConfig({
  root,
  publicDir: false,
  logLevel: 'warn',
  // Preact's automatic JSX runtime, compiled by Vite's own oxc transform (no framework plugin).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: resolve(root, '../dist/webui'),
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    cssCodeSplit: false,
    modulePreload: false,
    reportCompressedSize: false,
    rolldownOptions: {
      input: resolve(root, 'main.tsx'),
      output: {
        format: 'es',
        entryFileNames: 'unraid-mcp.js',
        assetFileNames: 'unraid-mcp[extname]',
        codeSplitting: false,
      },
    },
  },
});
