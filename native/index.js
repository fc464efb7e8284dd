'use strict'
// Loads the addon built by `npm run build:native` (node-gyp). ARRAYSCOPE_NATIVE overrides the path
// (a packaged app points it at the unpacked .node file).
const path = require('node:path')

const candidates = [
  process.env.ARRAYSCOPE_NATIVE,
  path.join(__dirname, 'build', 'Release', 'arrayscope.node'),
  path.join(__dirname, 'build', 'Debug', 'arrayscope.node')
].filter(Boolean)

let lastError
for (const file of candidates) {
  try {
    module.exports = require(file)
    lastError = undefined
    break
  } catch (error) {
    lastError = error
  }
}
if (lastError) {
  const error = new Error(
    `the native addon is not built (${lastError.message}); run \`npm run build:native\` in the repository`
  )
  error.code = 'ENATIVE'
  throw error
}
