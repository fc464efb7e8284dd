// Soft links, resolved once the whole tree is walked: one to a mappable dataset opens its target under the link's
// name; one to a group, to nothing or to an unmappable dataset is listed with where it points.
import { joinPath, listed, pathOf, type Walk } from './walk'

export function resolveSoftLinks(w: Walk): void {
  for (const s of w.softLinks) {
    const target = s.target.startsWith('/') ? s.target : joinPath(s.group, s.target)
    const e = w.entries.find((x) => x.name === target || x.aliases?.includes(target))
    if (e && !e.unmappable) {
      w.entries.push({
        ...e,
        name: s.name,
        path: pathOf(s.name),
        aliases: [],
        metadata: { ...e.metadata, softLinkTo: target }
      })
    } else {
      w.entries.push(listed(s.name, `a soft link to ${s.target}${e ? '' : ' (a group, or nothing)'}`, `open ${target}`))
    }
  }
}
