// What the image view reports about its frames (window.__arrayscopeImage): the benchmark and the e2e tests read
// it to know when the first preview and the first exact image were drawn, and at what level.
import type { Viewport } from './viewport'

/** What the benchmark and the tests read off the view (window.__arrayscopeImage). */
export interface ImageStats {
  /** From the view's start to the first frame with any tile drawn (a preview, or a coarser tile). */
  firstPreviewMs: number | null
  /** … to the first frame with every visible tile exact and the colour range known. */
  firstImageMs: number | null
  lastFrameMs: number
  frames: number
  requests: number
  level: number
  ready: boolean
  /** Screen pixels per element and the element at the canvas's top-left. */
  viewport: Viewport | null
}

declare global {
  interface Window {
    __arrayscopeImage?: ImageStats
  }
}

export function freshStats(): ImageStats {
  return {
    firstPreviewMs: null,
    firstImageMs: null,
    lastFrameMs: 0,
    frames: 0,
    requests: 0,
    level: 0,
    ready: false,
    viewport: null
  }
}
