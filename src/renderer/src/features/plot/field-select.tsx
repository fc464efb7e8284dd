// The field picker of the analysis panel for a record (compound) dtype, as h5web has: statistics, the line, the
// profile and the heatmap read the chosen field (scan requests' `field`). Only plain numeric fields are offered:
// a sub-array field adds axes the plots do not lay out (the scan requests and the CLI take them).
import { numericFields } from '../../../../shared/field-view'
import { parseDType, type StructField } from '../../../../shared/structured'

/** The fields of a dtype (numpy's spelling) that plots can show; [] for a dtype without fields. */
export function plottableFields(dtype: string): StructField[] {
  try {
    return numericFields(parseDType(dtype)).filter((f) => f.shape.length === 0)
  } catch {
    return []
  }
}

/** The dtype a scan of `field` reads (numpy's str), or the array's own without one. */
export function scopeDType(dtype: string, field: string | undefined): string {
  if (field === undefined) return dtype
  return plottableFields(dtype).find((f) => f.name === field)?.dtype.str ?? dtype
}

export function FieldSelect(props: {
  fields: StructField[]
  value: string
  onChange: (field: string) => void
}): React.JSX.Element {
  return (
    <label title="A record's field: the statistics and plots read its values">
      field{' '}
      <select name="field" value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.fields.map((f) => (
          <option key={f.name} value={f.name}>
            {f.name} ({f.dtype.str})
          </option>
        ))}
      </select>
    </label>
  )
}
