import type { SessionInfo } from '../../../../shared/contract'
import type { ViewState } from '../../state/view-model'
import { fitAxes, slicedShape } from '../../state/view-model'
import { recipe } from '../../../../shared/recipe'

export function RecipePanel(props: { session: SessionInfo; state: ViewState; onClose: () => void }): React.JSX.Element {
  const { shape } = slicedShape(props.session.layout, props.state.slice)
  const r = recipe(props.session, fitAxes(props.state, shape), shape)
  const copy = (text: string) => () => void navigator.clipboard?.writeText(text)
  return (
    <div className="recipe" role="dialog" aria-label="Copy as code">
      <h2>Copy as code</h2>
      <pre data-testid="recipe-python">{r.python}</pre>
      <button onClick={copy(r.python)}>Copy Python</button>
      <pre data-testid="recipe-cli">{r.cli}</pre>
      <button onClick={copy(r.cli)}>Copy command</button>
      <button onClick={props.onClose}>Close</button>
    </div>
  )
}
