// A folder of an S3 bucket listed with ListObjectsV2 and a '/' delimiter: the objects directly in it and its
// sub-folders (common prefixes), never what lies deeper — a Zarr group's folder holds its metadata documents and
// its children's folders, so a walk of the groups lists no chunk. Plain HTTP has no listing at all.
import { ApiError } from '../../shared/contract'
import { noCredentials, remoteStats, s3client, s3Error } from './remote-fetch'

/** Pages of a listing read at most (1000 names a page): a folder with more is refused, not half-listed. */
const MAX_PAGES = 100

export interface FolderListing {
  /** Names of the sub-folders (without their slash). */
  folders: string[]
  /** Names of the objects directly in the folder. */
  names: string[]
}

/** Lists the folder `s3://bucket/prefix/` (prefix without its trailing slash; '' for the bucket's root). */
export async function listS3Folder(bucket: string, prefix: string, signal?: AbortSignal): Promise<FolderListing> {
  const href = `s3://${bucket}/${prefix}`
  const u = { kind: 's3' as const, href, bucket, key: prefix }
  const p = prefix ? `${prefix}/` : ''
  const out: FolderListing = { folders: [], names: [] }
  const page = async (anonymous: boolean, token: string | undefined) => {
    const { m, c } = await s3client(anonymous)
    remoteStats.requests++
    return c.send(
      new m.ListObjectsV2Command({
        Bucket: bucket,
        Prefix: p,
        Delimiter: '/',
        ...(token ? { ContinuationToken: token } : {})
      }),
      signal ? { abortSignal: signal } : {}
    )
  }
  let anonymous = false
  let token: string | undefined
  for (let n = 0; n < MAX_PAGES; n++) {
    let r: Awaited<ReturnType<typeof page>>
    try {
      r = await page(anonymous, token)
    } catch (e) {
      // no credentials configured: a public bucket is listed anonymously
      if (!anonymous && noCredentials(e)) {
        anonymous = true
        n--
        continue
      }
      throw s3Error(u, e)
    }
    for (const cp of r.CommonPrefixes ?? []) {
      const name = (cp.Prefix ?? '').slice(p.length).replace(/\/$/, '')
      if (name) out.folders.push(name)
    }
    for (const o of r.Contents ?? []) {
      const name = (o.Key ?? '').slice(p.length)
      if (name && !name.includes('/')) out.names.push(name)
    }
    token = r.IsTruncated ? r.NextContinuationToken : undefined
    if (!token) return out
  }
  throw new ApiError('io', `${href}/ holds more than ${MAX_PAGES * 1000} objects and folders: it is not listed`)
}
