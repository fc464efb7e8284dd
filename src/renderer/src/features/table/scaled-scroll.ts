// Scaled scrolling. Browsers cap an element's size at ~33.5M px (Chromium: 33,554,428), so a billion rows of
// 24 px cannot be a tall div. The scroll area is capped, and its scroll position maps linearly to the first
// visible index over the whole range; when everything fits, the mapping is the identity (px / item size).

/** Largest scrollable extent we use, well under the browser's limit. */
export const MAX_EXTENT = 15_000_000

export interface Axis {
  count: number
  /** Pixels per item. */
  item: number
  /** Visible pixels for items (excluding headers). */
  viewport: number
}

export function extent(a: Axis): number {
  return Math.min(a.count * a.item, MAX_EXTENT)
}

export function visibleCount(a: Axis): number {
  return Math.max(1, Math.ceil(a.viewport / a.item))
}

/** First visible index for a scroll position. */
export function firstIndex(a: Axis, scroll: number): number {
  const full = a.count * a.item
  if (full <= MAX_EXTENT) return Math.max(0, Math.min(a.count - 1, Math.floor(scroll / a.item)))
  const maxScroll = Math.max(1, extent(a) - a.viewport)
  const maxFirst = Math.max(0, a.count - Math.floor(a.viewport / a.item))
  return Math.max(0, Math.min(maxFirst, Math.round((scroll / maxScroll) * maxFirst)))
}

/** Scroll position that puts index first (the inverse of firstIndex). */
export function scrollFor(a: Axis, index: number): number {
  const full = a.count * a.item
  if (full <= MAX_EXTENT) return index * a.item
  const maxScroll = Math.max(1, extent(a) - a.viewport)
  const maxFirst = Math.max(1, a.count - Math.floor(a.viewport / a.item))
  return (Math.min(index, maxFirst) / maxFirst) * maxScroll
}
