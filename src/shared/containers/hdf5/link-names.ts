// Link names the HDF5 library would not resolve to the object the parser found under them. The library takes a
// path string apart at "/" and treats "." as the group itself, and a group that holds a name twice gives one of
// them, undefined which: such a link is no path, and a dataset under it is never opened through the library (a
// one-byte patch of a name to "g/d" made the library walk a soft link g to a dataset kept in an external file).

/** Why a link name is not a path component (a name the library would resolve to another object), or null. */
export function badLinkName(name: string, count: number): string | null {
  if (name === '' || name === '.') return `its link name ${JSON.stringify(name)} names the group itself`
  if (name.includes('/'))
    return `its link name ${JSON.stringify(name)} contains "/", which the HDF5 library reads as a path through other groups and links`
  if (name.includes('\0'))
    return `its link name ${JSON.stringify(name)} contains a NUL, where the HDF5 library's name ends`
  if (count > 1)
    return `its group has ${count} links named ${JSON.stringify(name)}: which one a reader opens is not defined`
  return null
}
