// The image's controls: colormap, scale and which value of a block a pixel shows (hidden for RGB(A) views, whose
// pixels are their channels), the fit (square pixels or the frame filled), and saving what is shown as a PNG.
import { COLORMAPS, type ColormapName } from './colormaps'
import type { Channel, Scale } from './shade'

export function ImageControls(props: {
  rgb: { axis: number; channels: 3 | 4 } | null
  colormap: ColormapName
  onColormap: (c: ColormapName) => void
  scale: Scale
  onScale: (s: Scale) => void
  channel: Channel
  onChannel: (c: Channel) => void
  keepAspect: boolean
  onFit: (f: 'aspect' | 'fill') => void
  onSavePng: () => void
}): React.JSX.Element {
  const { rgb } = props
  return (
    <div className="row">
      {rgb && (
        <span className="muted" data-testid="image-rgb">
          RGB{rgb.channels === 4 ? 'A' : ''} from axis {rgb.axis} (block means)
        </span>
      )}
      <label hidden={rgb !== null}>
        colormap
        <select
          name="colormap"
          value={props.colormap}
          onChange={(e) => props.onColormap(e.target.value as ColormapName)}
        >
          {COLORMAPS.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </label>
      <label hidden={rgb !== null}>
        scale
        <select name="scale" value={props.scale} onChange={(e) => props.onScale(e.target.value as Scale)}>
          <option value="linear">linear</option>
          <option value="log">log</option>
          <option value="symlog">symlog</option>
          <option value="sqrt">sqrt</option>
        </select>
      </label>
      <label hidden={rgb !== null} title="Which value of each block a pixel shows when zoomed out">
        block
        <select name="reduce" value={props.channel} onChange={(e) => props.onChannel(e.target.value as Channel)}>
          <option value="mean">mean</option>
          <option value="max">max</option>
          <option value="min">min</option>
          <option value="extreme">min/max (the extreme)</option>
        </select>
      </label>
      <label title="Square pixels (the array's aspect), or the image stretched to fill the frame">
        fit
        <select
          name="image-fit"
          value={props.keepAspect ? 'aspect' : 'fill'}
          onChange={(e) => props.onFit(e.target.value as 'aspect' | 'fill')}
        >
          <option value="aspect">keep aspect</option>
          <option value="fill">fill the frame</option>
        </select>
      </label>
      <button type="button" onClick={props.onSavePng} title="Save what is shown as a PNG image">
        PNG
      </button>
    </div>
  )
}
