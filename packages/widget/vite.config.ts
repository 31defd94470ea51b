import { defineConfig } from 'vite';

/** One self-contained IIFE: the host page adds a single <script> tag. */
export default defineConfig({
  build: {
    lib: { entry: 'src/main.tsx', formats: ['iife'], name: 'SignetWidget', fileName: () => 'widget.js' },
    outDir: 'dist',
    emptyOutDir: true,
    minify: true,
    target: 'es2020',
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
});
