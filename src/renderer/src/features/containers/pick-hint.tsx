// What the main area shows once a container is open and no array of it is yet: a pointer to its tree in the
// sidebar, where the form was (issue #26: the open form stayed on screen, with nothing saying what to do next).
export function PickHint(props: { path: string; onOpenForm: () => void }): React.JSX.Element {
  const name = props.path.split(/[\\/]/).pop()
  return (
    <section className="open-panel pick-hint" data-testid="pick-hint">
      <h1>{name}</h1>
      <p>
        Pick an array in its tree on the left: a click opens it in a tab (the filter above the tree finds one by name).
      </p>
      <p>
        <button type="button" onClick={props.onOpenForm}>
          Open another file…
        </button>
      </p>
    </section>
  )
}
