// The app's version, apart from array-service.ts so that its channel handlers (handlers/) can name it too.
import packageJson from '../../../package.json'

/** The app's version: package.json's, the one source. */
export const VERSION: string = packageJson.version
