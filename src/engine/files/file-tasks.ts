// Types and pure helpers shared by the file pool (main thread) and the file worker (inside the
// thread). Nothing here does I/O, so both sides can import it and tests can call it directly.
import path from 'node:path';

/**
 * One unit of file work handed to the file pool. Tasks cross a thread boundary by structured
 * clone, so every field must be plain data.
 */
export type FileTask =
  | {
      kind: 'write-json';
      /** Absolute directory that owns every file the pool writes. */
      dataDir: string;
      /** Path of the target under `dataDir`; escaping `dataDir` is refused. */
      relPath: string;
      /** Serialised with `JSON.stringify` inside the worker, then written atomically (temp + rename). */
      value: unknown;
    }
  | {
      kind: 'download';
      /** Absolute directory that owns every file the pool writes. */
      dataDir: string;
      /** `http:` or `https:` URL to GET. Up to 5 redirects are followed. */
      url: string;
      /** The download is aborted as soon as the body exceeds this many bytes. */
      maxBytes: number;
      /** Deadline for the whole download (headers and body), in milliseconds. */
      timeoutMs: number;
      userAgent: string;
      /** `'media'` stores under `media/`, `'body'` under `bodies/`; same content-addressed scheme. */
      purpose: 'media' | 'body';
    };

/** What a finished {@link FileTask} reports. Paths are absolute. */
export type FileTaskResult =
  | {kind: 'write-json'; path: string; bytes: number}
  | {
      kind: 'download';
      url: string;
      /** `<dataDir>/` + {@link mediaPathFor}(sha256, contentType, purpose). */
      path: string;
      /** Lower-case hex SHA-256 of the body. */
      sha256: string;
      bytes: number;
      /** The response's `content-type` header as sent (parameters kept), or `application/octet-stream`. */
      contentType: string;
      /** `false` when a file with the same content was already stored (nothing new was written). */
      isNew: boolean;
    };

/**
 * @internal Message from the pool to a worker: `{id, task}` runs a task; `{id, cancel: true}` aborts
 * the running task with that id (its reply still comes, as an error).
 */
export type FileWorkerRequest = {id: number; task: FileTask} | {id: number; cancel: true};

/**
 * @internal Message from a worker to the pool: exactly one per `{id, task}` request, plus one
 * `{ready: true}` once the worker module has loaded (the pool uses it to tell a thread that cannot
 * start from one that crashed later).
 */
export type FileWorkerResponse =
  | {id: number; ok: true; result: FileTaskResult}
  | {id: number; ok: false; error: {message: string; name: string}}
  | {ready: true};

// Extensions come from this table only. The URL's file name is never used, so a hostile server
// cannot choose where (or as what) a file lands on disk.
const EXTENSIONS: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/pjpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/svg+xml': 'svg',
  'image/avif': 'avif',
  'image/bmp': 'bmp',
  'image/x-icon': 'ico',
  'image/vnd.microsoft.icon': 'ico',
  'image/tiff': 'tiff',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'video/ogg': 'ogv',
  'video/quicktime': 'mov',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'audio/wav': 'wav',
  'audio/webm': 'weba',
  'audio/aac': 'aac',
  'application/pdf': 'pdf',
  'application/json': 'json',
  'application/ld+json': 'jsonld',
  'application/xml': 'xml',
  'text/xml': 'xml',
  'application/xhtml+xml': 'xhtml',
  'application/zip': 'zip',
  'application/gzip': 'gz',
  'text/html': 'html',
  'text/plain': 'txt',
  'text/csv': 'csv',
  'text/css': 'css',
  'text/javascript': 'js',
  'application/javascript': 'js',
  'font/woff': 'woff',
  'font/woff2': 'woff2',
};

/**
 * File extension (without the dot) for a `content-type` header value; `'bin'` when unknown.
 * Parameters (`; charset=utf-8`) and case are ignored.
 */
export function extensionFor(contentType: string): string {
  const essence = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return EXTENSIONS[essence] ?? 'bin';
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Content-addressed path, relative to the data directory, for a downloaded file:
 * `media/ab/ab12…ef.png` (`bodies/…` for `purpose: 'body'`). The first two hex digits form a
 * fan-out directory so that no single directory collects every file.
 *
 * @throws if `sha256` is not 64 lower-case hex digits (it always comes from our own hashing).
 */
export function mediaPathFor(sha256: string, contentType: string, purpose: 'media' | 'body' = 'media'): string {
  if (!SHA256_HEX.test(sha256)) throw new Error(`not a lower-case hex SHA-256: ${JSON.stringify(sha256)}`);
  const root = purpose === 'body' ? 'bodies' : 'media';
  return `${root}/${sha256.slice(0, 2)}/${sha256}.${extensionFor(contentType)}`;
}

/**
 * Resolves `relPath` against `dir` and returns the absolute result.
 *
 * The check is lexical (no symlinks are followed): `dir` is ours, only `relPath` may come from
 * scraped data.
 *
 * @throws if `relPath` is empty, absolute, contains a NUL byte, or resolves outside `dir` (or to
 *   `dir` itself).
 */
export function assertInsideDir(dir: string, relPath: string): string {
  if (dir.includes('\0') || relPath.includes('\0')) throw new Error('path contains a NUL byte');
  if (relPath.trim() === '') throw new Error('relative path is empty');
  // Checked on both flavours so that `C:\x` or `\\host\share` is refused on POSIX too.
  if (path.isAbsolute(relPath) || path.win32.isAbsolute(relPath)) {
    throw new Error(`path must be relative to the data directory: ${JSON.stringify(relPath)}`);
  }
  const root = path.resolve(dir);
  const target = path.resolve(root, relPath);
  const rel = path.relative(root, target);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new Error(`path escapes the data directory: ${JSON.stringify(relPath)}`);
  }
  return target;
}
