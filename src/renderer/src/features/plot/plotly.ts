// plotly.js (the prebuilt dist-min bundle: the full source package fails at run time under Vite), loaded on
// first use so the table opens without it. Only what we call is typed here.
export interface PlotlyLike {
  react(
    el: HTMLElement,
    data: unknown[],
    layout: Record<string, unknown>,
    config?: Record<string, unknown>
  ): Promise<unknown>
  relayout(el: HTMLElement, update: Record<string, unknown>): Promise<unknown>
  purge(el: HTMLElement): void
  downloadImage(
    el: HTMLElement,
    options: { format: 'png' | 'svg'; filename: string; width?: number; height?: number }
  ): Promise<unknown>
}

export interface PlotEvents {
  on(event: 'plotly_relayout', fn: (e: Record<string, unknown>) => void): void
  on(event: 'plotly_click', fn: (e: { points: { x: number; y: number; pointIndex?: number }[] }) => void): void
  removeAllListeners?(event: string): void
}

let plotly: Promise<PlotlyLike> | null = null

export function loadPlotly(): Promise<PlotlyLike> {
  plotly ??= import('plotly.js-dist-min').then((m) => ((m as { default?: PlotlyLike }).default ?? m) as PlotlyLike)
  return plotly
}

export function f64(bytes: Uint8Array): Float64Array {
  const copy = bytes.slice()
  return new Float64Array(copy.buffer, 0, copy.byteLength / 8)
}
