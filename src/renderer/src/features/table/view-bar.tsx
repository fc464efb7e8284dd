// Controls of the table's view: the slice expression, which axes are rows and columns, a slider and number
// field for every other axis, the number format and heat colouring.
import { useEffect, useState } from 'react'
import type { CellFormat, ViewState } from '../../state/view-model'

function AxisPicker(props: {
  label: string
  name: string
  value: number | null
  nd: number
  onChange: (v: number | null) => void
}): React.JSX.Element {
  return (
    <label>
      {props.label}
      <select
        name={props.name}
        value={props.value === null ? '' : String(props.value)}
        onChange={(e) => props.onChange(e.target.value === '' ? null : Number(e.target.value))}
      >
        <option value="">—</option>
        {Array.from({ length: props.nd }, (_, k) => (
          <option key={k} value={k}>
            axis {k}
          </option>
        ))}
      </select>
    </label>
  )
}

function formatKey(f: CellFormat): string {
  return f.mode === 'fixed' || f.mode === 'sci' ? `${f.mode}:${f.digits}` : f.mode
}

function parseFormat(key: string): CellFormat {
  const [mode, digits] = key.split(':')
  if (mode === 'fixed' || mode === 'sci') return { mode, digits: Number(digits) }
  if (mode === 'hex') return { mode: 'hex' }
  return { mode: 'auto' }
}

export function ViewBar(props: {
  state: ViewState
  shape: number[]
  sliceError: string | null
  onChange: (s: ViewState) => void
  /** More switches of the view (follow mode), after its own. */
  children?: React.ReactNode
}): React.JSX.Element {
  const { state, shape, onChange } = props
  const nd = shape.length
  const [slice, setSlice] = useState(state.slice)
  useEffect(() => setSlice(state.slice), [state.slice])
  const setAxis = (which: 'rowAxis' | 'colAxis') => (v: number | null) => {
    const other = which === 'rowAxis' ? 'colAxis' : 'rowAxis'
    // choosing the other picker's axis swaps them (a transpose)
    const swap = v !== null && state[other] === v ? { [other]: state[which] } : {}
    onChange({ ...state, [which]: v, ...swap })
  }
  return (
    <div className="view-bar">
      <form
        onSubmit={(e) => {
          e.preventDefault()
          onChange({ ...state, slice })
        }}
      >
        <label title="numpy basic indexing, e.g. 2:10:2, 3, ..., -1">
          Slice [
          <input
            name="slice"
            value={slice}
            onChange={(e) => setSlice(e.target.value)}
            placeholder=":, :"
            spellCheck={false}
          />
          ]
        </label>
      </form>
      {props.sliceError && <span className="validation bad">{props.sliceError}</span>}
      {nd >= 2 && (
        <>
          <AxisPicker label="rows" name="row-axis" value={state.rowAxis} nd={nd} onChange={setAxis('rowAxis')} />
          <AxisPicker label="columns" name="col-axis" value={state.colAxis} nd={nd} onChange={setAxis('colAxis')} />
        </>
      )}
      {shape.map((n, k) =>
        k === state.rowAxis || k === state.colAxis ? null : (
          <label key={k} className="axis-index">
            axis {k}
            <input
              type="range"
              min={0}
              max={Math.max(0, n - 1)}
              value={state.index[k] ?? 0}
              onChange={(e) =>
                onChange({ ...state, index: state.index.map((v, j) => (j === k ? Number(e.target.value) : v)) })
              }
            />
            <input
              name={`index-${k}`}
              type="number"
              min={0}
              max={n - 1}
              value={state.index[k] ?? 0}
              onChange={(e) => {
                const v = Math.max(0, Math.min(n - 1, Math.floor(Number(e.target.value) || 0)))
                onChange({ ...state, index: state.index.map((x, j) => (j === k ? v : x)) })
              }}
            />
            <span className="muted">/ {n}</span>
          </label>
        )
      )}
      <label>
        format
        <select
          name="format"
          value={formatKey(state.format)}
          onChange={(e) => onChange({ ...state, format: parseFormat(e.target.value) })}
        >
          <option value="auto">auto</option>
          <option value="fixed:2">fixed 2</option>
          <option value="fixed:4">fixed 4</option>
          <option value="fixed:6">fixed 6</option>
          <option value="sci:3">scientific 3</option>
          <option value="sci:6">scientific 6</option>
          <option value="hex">hex (integers)</option>
        </select>
      </label>
      <label>
        <input
          type="checkbox"
          name="heat"
          checked={state.heat}
          onChange={(e) => onChange({ ...state, heat: e.target.checked })}
        />
        heat
      </label>
      {props.children}
    </div>
  )
}
