// Naming a bookmark in the app: Electron does not implement window.prompt (it returns null at once), so the
// hex view asks here instead. Enter saves, Escape cancels.
import { useState } from 'react'

export function BookmarkDialog(props: {
  offset: number
  onSave: (name: string) => void
  onCancel: () => void
}): React.JSX.Element {
  const [name, setName] = useState(`byte ${props.offset}`)
  return (
    <form
      className="recipe bookmark-dialog"
      role="dialog"
      aria-label="Bookmark"
      onSubmit={(e) => {
        e.preventDefault()
        if (name.trim()) props.onSave(name.trim())
      }}
      onKeyDown={(e) => e.key === 'Escape' && props.onCancel()}
    >
      <h2>
        Bookmark byte {props.offset} (0x{props.offset.toString(16)})
      </h2>
      <label>
        Name
        <input name="bookmark-name" value={name} onChange={(e) => setName(e.target.value)} autoFocus />
      </label>
      <div className="row">
        <button type="submit" disabled={!name.trim()}>
          Save
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  )
}
