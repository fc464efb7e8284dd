// The cursor the table, plots, hex view, status bar and analysis share: the selected cell, its element in the
// sliced and the whole array, and the selection (one cursor links every view of an array).
export interface CursorInfo {
  cell: [number, number]
  /** Index of the element in the sliced array. */
  index: number[]
  /** The selection as [start, stop) per kept axis of the view, in axis order (for exporting it). */
  selection: [number, number][]
  /** Index of the element in the whole array (differs from index under a slice). */
  arrayIndex: number[]
  /** The sliced array's shape, when a slice is typed. */
  viewShape?: number[]
}
