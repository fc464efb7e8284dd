// A's table with the cells that are not close to B's marked, and, side by side, B's table showing the same
// view: the cursor moves in both and each follows the other's scrolling.
import { useMemo, useState } from 'react'
import type { SessionInfo } from '../../../../shared/contract'
import { TableView } from '../table/table-view'
import type { CursorInfo } from '../../state/cursor'
import { fitAxes, slicedShape, toView, type ViewState } from '../../state/view-model'
import { useMismatches, type Tolerance } from './use-mismatches'

type Follow = { top: number; left: number; seq: number } | null

export function CompareTables(props: {
  a: SessionInfo
  b: SessionInfo
  tolerance: Tolerance
  sideBySide: boolean
  state: ViewState
  onState: (s: ViewState) => void
  onCursor: (c: CursorInfo) => void
  jump: { row: number; col: number; seq: number } | null
  jumpToByte: { offset: number; seq: number } | null
}): React.JSX.Element {
  const { a, b, state } = props
  const { shape } = slicedShape(a.layout, state.slice)
  const viewKey = JSON.stringify(toView(fitAxes(state, shape)))
  const view = useMemo(() => JSON.parse(viewKey) as ReturnType<typeof toView>, [viewKey])
  const marks = useMismatches(a.session, b.session, view, props.tolerance)
  const [followA, setFollowA] = useState<Follow>(null)
  const [followB, setFollowB] = useState<Follow>(null)
  return (
    <div className={props.sideBySide ? 'compare-tables side-by-side' : 'compare-tables'}>
      <div className="compare-side" data-testid="compare-a">
        {props.sideBySide && <div className="compare-label">A · {a.path.split(/[\\/]/).pop()}</div>}
        <TableView
          key={a.session}
          session={a}
          state={state}
          onState={props.onState}
          onCursor={props.onCursor}
          jump={props.jump}
          jumpToByte={props.jumpToByte}
          marks={marks}
          follow={followA}
          onScrollTo={(top, left) => setFollowB({ top, left, seq: (followB?.seq ?? 0) + 1 })}
        />
      </div>
      {props.sideBySide && (
        <div className="compare-side" data-testid="compare-b">
          <div className="compare-label">B · {b.array?.name ?? b.path.split(/[\\/]/).pop()}</div>
          <TableView
            key={`b-${b.session}`}
            session={b}
            state={state}
            onState={props.onState}
            onCursor={() => undefined}
            jump={props.jump}
            marks={marks}
            follow={followB}
            onScrollTo={(top, left) => setFollowA({ top, left, seq: (followA?.seq ?? 0) + 1 })}
          />
        </div>
      )}
    </div>
  )
}
