import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'

// Three targets: main (the Electron shell, plus the CLI and serve mode, which share the service),
// preload, renderer. Dependencies stay external in main/preload; native/ is loaded at run time.
export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          cli: resolve(__dirname, 'src/main/cli/index.ts'),
          // the HDF5 library's worker thread (out/main/hdf5-worker.js, found beside the bundle at run time)
          'hdf5-worker': resolve(__dirname, 'src/main/service/hdf5-worker.ts'),
          // the codec workers (zstd, bz2, blosc: out/main/codec-worker.js, src/main/service/codecs/pool.ts)
          'codec-worker': resolve(__dirname, 'src/main/service/codecs/worker.ts'),
          // the thread that fetches remote ranges for synchronous readers (out/main/remote-worker.js)
          'remote-worker': resolve(__dirname, 'src/main/service/remote-worker.ts')
        }
      }
    }
  },
  preload: {
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/preload/index.ts') } }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    // plotly makes a 7.7 MB bundle unminified (5.0 MB minified).
    build: {
      minify: true,
      rollupOptions: { input: resolve(__dirname, 'src/renderer/index.html') }
    },
    plugins: [react()]
  }
})
