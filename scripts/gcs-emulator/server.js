#!/usr/bin/env node
// Local Google Cloud Storage (JSON API) emulator for tests.
//
// Runs the Cloud Storage emulator that ships in firebase-tools (pinned in
// package.json) WITHOUT the Firebase rules runtime (which needs Java 21 and a
// downloaded JAR). The GCS JSON API routes never consult rules, so they work.
// All data is held in memory and is gone when the process exits.
//
// Usage: node server.js --host 127.0.0.1 --port 9023 [--bucket NAME]... [--project ID]
// Prints exactly one line to stdout once it accepts connections:
//   GCS emulator listening on http://HOST:PORT
// Diagnostics go to stderr. Exits 0 on SIGTERM/SIGINT.
//
// Shims added in front of the stock emulator routes (all in this file):
//  - in-memory blob store instead of files under $TMPDIR/firebase/storage/blobs
//    (that directory is shared by every emulator process and deleted on stop);
//  - resumable upload PUTs honour Content-Range: a chunk "bytes A-B/*" is
//    appended and answered 308 + "Range: bytes=0-B"; the object is finalized
//    only when the total is known and reached. The stock emulator finalizes on
//    the first PUT, which breaks any upload larger than one client chunk
//    (createFrom(BlobInfo, InputStream) uses 15 MiB chunks);
//  - multipart uploads (Storage.create(BlobInfo, byte[])): per-part headers
//    are parsed properly (the stock parser insists that the first header is
//    Content-Type and rejects the Java client's requests);
//  - buckets: GET/POST/DELETE /storage/v1/b[/NAME] (stock emulator: 501 / 404).
//    Buckets named with --bucket exist from start-up; any object request to
//    another bucket still creates that bucket implicitly (stock behaviour).
//  - object metadata PATCH on /storage/v1/b/B/o/O (also as POST with
//    X-HTTP-Method-Override: PATCH, as the Java client sends it); stock: only /b/B/o/O.
//  - POST /internal/reset clears all data and re-creates the --bucket buckets.
"use strict";

const http = require("http");
const path = require("path");
const zlib = require("zlib");

function usage(msg) {
  if (msg) process.stderr.write(`server.js: ${msg}\n`);
  process.stderr.write(
    "usage: node server.js --host 127.0.0.1 --port PORT [--bucket NAME]... [--project ID]\n",
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { host: "127.0.0.1", port: undefined, buckets: [], project: "test" };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const next = () => {
      if (value !== undefined) return value;
      if (i + 1 >= argv.length) usage(`missing value for ${arg}`);
      return argv[++i];
    };
    switch (arg) {
      case "--host": opts.host = next(); break;
      case "--port": opts.port = next(); break;
      case "--bucket": opts.buckets.push(next()); break;
      case "--project": opts.project = next(); break;
      case "-h": case "--help": usage(); break;
      default: usage(`unknown argument ${arg}`);
    }
  }
  if (opts.port === undefined) usage("--port is required");
  if (!/^\d+$/.test(opts.port) || Number(opts.port) > 65535) usage(`bad --port ${opts.port}`);
  opts.port = Number(opts.port);
  return opts;
}

const opts = parseArgs(process.argv.slice(2));

// Resolve the emulator files inside the pinned firebase-tools package.
const fbLib = path.join(path.dirname(require.resolve("firebase-tools/package.json")), "lib");
const fb = (p) => require(path.join(fbLib, p));
const { Persistence } = fb("emulator/storage/persistence");

// ---- in-memory blob store (same interface as Persistence) -----------------
Object.assign(Persistence.prototype, {
  reset() {
    this._dirPath = "(in-memory)";
    this._blobs = new Map(); // name -> { chunks: Buffer[], length }
  },
  appendBytes(fileName, bytes) {
    let blob = this._blobs.get(fileName);
    if (!blob) this._blobs.set(fileName, (blob = { chunks: [], length: 0 }));
    const buf = Buffer.from(bytes); // own copy
    blob.chunks.push(buf);
    blob.length += buf.length;
    return fileName;
  },
  readBytes(fileName, size, fileOffset) {
    const blob = this._blobs.get(fileName);
    if (!blob) {
      const err = new Error(`ENOENT: no such blob ${fileName}`);
      err.code = "ENOENT";
      throw err;
    }
    if (blob.chunks.length > 1) blob.chunks = [Buffer.concat(blob.chunks, blob.length)];
    const data = blob.chunks[0] || Buffer.alloc(0);
    const offset = fileOffset && fileOffset > 0 ? fileOffset : 0;
    const out = Buffer.alloc(size); // zero-filled like the file-based original
    data.copy(out, 0, offset, Math.min(data.length, offset + size));
    return out;
  },
  deleteFile(fileName, failSilently = false) {
    if (!this._blobs.delete(fileName) && !failSilently) {
      const err = new Error(`ENOENT: no such blob ${fileName}`);
      err.code = "ENOENT";
      throw err;
    }
  },
  async deleteAll() {
    this._blobs = new Map();
  },
  renameFile(oldName, newName) {
    const blob = this._blobs.get(oldName);
    this._blobs.delete(oldName);
    if (blob) this._blobs.set(newName, blob);
  },
  getDiskPath(fileName) {
    return fileName;
  },
  getDiskFileName(fileName) {
    return fileName;
  },
  copyFromExternalPath(sourcePath, newName) {
    this._blobs.delete(newName);
    this.appendBytes(newName, require("fs").readFileSync(sourcePath));
  },
});

const express = require("express");
const { StorageEmulator } = fb("emulator/storage/index");
const { createApp } = fb("emulator/storage/server");
const { EmulatorRegistry } = fb("emulator/registry");
const { Emulators } = fb("emulator/types");
const { CloudStorageObjectMetadata } = fb("emulator/storage/metadata");
const { NotFoundError, ForbiddenError } = fb("emulator/storage/errors");
const { UploadStatus } = fb("emulator/storage/upload");

const emulator = new StorageEmulator({
  projectId: opts.project,
  host: opts.host,
  port: opts.port,
  rules: undefined, // rules runtime is never started
  auto_download: false,
});
// Registry entry is needed for selfLink/mediaLink/bucket metadata URLs.
EmulatorRegistry.set(Emulators.STORAGE, emulator);

const { adminStorageLayer, uploadService } = emulator;
const buckets = emulator._buckets; // Map shared by the storage layers

function createStartupBuckets() {
  for (const b of opts.buckets) adminStorageLayer.createBucket(b);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      try {
        const raw = Buffer.concat(chunks);
        const enc = String(req.headers["content-encoding"] || "").trim().toLowerCase();
        // The Java client gzips multipart upload bodies (Content-Encoding: gzip).
        if (enc === "gzip" || enc === "x-gzip") resolve(zlib.gunzipSync(raw));
        else if (enc === "deflate") resolve(zlib.inflateSync(raw));
        else resolve(raw);
      } catch (err) {
        reject(err);
      }
    });
    req.on("error", reject);
  });
}

function jsonError(res, code, message, reason) {
  res.status(code).json({
    error: { code, message, errors: [{ message, domain: "global", reason: reason || "invalid" }] },
  });
}

async function finalizeUpload(res, upload) {
  uploadService.finalizeResumableUpload(upload.id);
  let metadata;
  try {
    metadata = await adminStorageLayer.uploadObject(upload);
  } catch (err) {
    if (err instanceof ForbiddenError) return res.sendStatus(403);
    throw err;
  }
  return res.status(200).json(new CloudStorageObjectMetadata(metadata));
}

const RANGE_RE = /^bytes (?:\*|(\d+)-(\d+))\/(\*|\d+)$/;

// Resumable upload chunk / finalize (replaces the stock handler for upload_id PUTs).
async function resumablePut(req, res) {
  const uploadId = String(req.query.upload_id);
  let upload;
  try {
    upload = uploadService.getResumableUpload(uploadId);
  } catch (err) {
    if (err instanceof NotFoundError) return jsonError(res, 404, "No such upload", "notFound");
    throw err;
  }
  const body = await readBody(req);

  if (upload.status === UploadStatus.CANCELLED) {
    return jsonError(res, 499, "Upload was cancelled", "cancelled");
  }
  if (upload.status === UploadStatus.FINISHED) {
    // Idempotent answer for a retried final request.
    const md = adminStorageLayer.getMetadata(upload.bucketId, upload.objectId);
    if (md) return res.status(200).json(new CloudStorageObjectMetadata(md));
    return jsonError(res, 400, "Upload already finalized");
  }

  const cr = req.header("content-range");
  if (!cr) {
    // Whole object in a single request.
    uploadService.continueResumableUpload(uploadId, body);
    return finalizeUpload(res, upload);
  }
  const m = RANGE_RE.exec(cr.trim());
  if (!m) return jsonError(res, 400, `Bad Content-Range: ${cr}`);
  const total = m[3] === "*" ? null : Number(m[3]);
  if (m[1] !== undefined) {
    const start = Number(m[1]);
    const end = Number(m[2]);
    if (end < start || body.length !== end - start + 1) {
      return jsonError(res, 400, `Content-Range ${cr} does not match body length ${body.length}`);
    }
    if (start > upload.size) {
      return jsonError(res, 400, `Content-Range ${cr} starts after persisted size ${upload.size}`);
    }
    if (end >= upload.size) {
      // Skip any bytes already persisted (client retransmission).
      uploadService.continueResumableUpload(uploadId, body.subarray(upload.size - start));
    }
  } else if (body.length > 0) {
    return jsonError(res, 400, `Content-Range ${cr} with a non-empty body`);
  }
  if (total !== null) {
    if (upload.size === total) return finalizeUpload(res, upload);
    if (upload.size > total) {
      return jsonError(res, 400, `Persisted ${upload.size} bytes exceed declared total ${total}`);
    }
  }
  if (upload.size > 0) res.setHeader("Range", `bytes=0-${upload.size - 1}`);
  res.setHeader("Content-Length", "0");
  res.statusMessage = "Resume Incomplete";
  return res.status(308).end();
}

// multipart/related upload with a tolerant part parser.
function parseMultipartRelated(contentType, body) {
  const bm = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType || "");
  if (!bm) throw new Error(`Bad content type. ${contentType}`);
  const delim = Buffer.from(`--${(bm[1] || bm[2]).trim()}`);
  const parts = [];
  let pos = body.indexOf(delim);
  if (pos < 0) throw new Error("Multipart boundary not found");
  for (;;) {
    pos += delim.length;
    if (body.subarray(pos, pos + 2).toString() === "--") break; // closing delimiter
    // skip transport padding + CRLF after the delimiter
    const lineEnd = body.indexOf("\r\n", pos);
    if (lineEnd < 0) throw new Error("Malformed multipart body");
    const headerEnd = body.indexOf("\r\n\r\n", lineEnd);
    let headersText;
    let dataStart;
    if (headerEnd === lineEnd) {
      // no headers at all
      headersText = "";
      dataStart = lineEnd + 4;
    } else {
      if (headerEnd < 0) throw new Error("Malformed multipart part headers");
      headersText = body.subarray(lineEnd + 2, headerEnd).toString("latin1");
      dataStart = headerEnd + 4;
    }
    const next = body.indexOf(Buffer.concat([Buffer.from("\r\n"), delim]), dataStart);
    if (next < 0) throw new Error("Multipart closing boundary not found");
    const headers = {};
    for (const line of headersText.split("\r\n")) {
      const c = line.indexOf(":");
      if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
    }
    parts.push({ headers, data: body.subarray(dataStart, next) });
    pos = next + 2;
  }
  return parts;
}

async function multipartPost(req, res) {
  const body = await readBody(req);
  let parts;
  try {
    parts = parseMultipartRelated(req.header("content-type"), body);
    if (parts.length !== 2) throw new Error(`Unexpected number of parts in request body: ${parts.length}`);
  } catch (err) {
    return jsonError(res, 400, err.message);
  }
  let meta;
  try {
    meta = JSON.parse(parts[0].data.toString("utf8") || "{}");
  } catch (err) {
    return jsonError(res, 400, `Bad metadata part: ${err.message}`);
  }
  let name = (req.query.name && String(req.query.name)) || meta.name;
  if (!name) return jsonError(res, 400, "Missing object name");
  if (name.startsWith("/")) name = name.slice(1);
  const contentType = meta.contentType || parts[1].headers["content-type"] || req.header("x-upload-content-type");
  const upload = uploadService.multipartUpload({
    bucketId: req.params.bucketId,
    objectId: name,
    metadata: { ...meta, contentType },
    dataRaw: Buffer.from(parts[1].data),
    authorization: req.header("authorization"),
  });
  try {
    const metadata = await adminStorageLayer.uploadObject(upload);
    return res.status(200).json(new CloudStorageObjectMetadata(metadata));
  } catch (err) {
    if (err instanceof ForbiddenError) return res.sendStatus(403);
    throw err;
  }
}

const wrap = (fn) => (req, res, next) => Promise.resolve(fn(req, res, next)).catch(next);

async function main() {
  createStartupBuckets();
  const storageApp = await createApp(opts.project, emulator);
  const app = express();
  app.disable("x-powered-by");

  // ---- buckets ----
  // List from memory (the stock GET /b looks up a Firebase project over the network when empty).
  app.get(["/storage/v1/b", "/b"], (req, res) => {
    res.json({ kind: "storage#buckets", items: [...buckets.values()] });
  });
  app.get(["/storage/v1/b/:bucketId", "/b/:bucketId"], (req, res) => {
    const b = buckets.get(req.params.bucketId);
    if (!b) return jsonError(res, 404, "The specified bucket does not exist.", "notFound");
    return res.json(b);
  });
  app.post(["/storage/v1/b", "/b"], express.json({ limit: "1mb" }), (req, res) => {
    const name = req.body && req.body.name;
    if (!name) return jsonError(res, 400, "Missing bucket name", "required");
    if (buckets.has(name)) {
      return jsonError(res, 409, "Your previous request to create the named bucket succeeded and you already own it.", "conflict");
    }
    adminStorageLayer.createBucket(name);
    return res.json(buckets.get(name));
  });
  app.delete(["/storage/v1/b/:bucketId", "/b/:bucketId"], (req, res) => {
    const id = req.params.bucketId;
    if (!buckets.has(id)) return jsonError(res, 404, "The specified bucket does not exist.", "notFound");
    for (const key of emulator._files.keys()) {
      const f = emulator._files.get(key);
      if (f.metadata && f.metadata.bucket === id) {
        return jsonError(res, 409, "The bucket you tried to delete is not empty.", "conflict");
      }
    }
    buckets.delete(id);
    return res.sendStatus(204);
  });

  // ---- uploads ----
  app.put("/upload/storage/v1/b/:bucketId/o", (req, res, next) => {
    if (!req.query.upload_id) return next();
    adminStorageLayer.createBucket(req.params.bucketId);
    return wrap(resumablePut)(req, res, next);
  });
  app.post("/upload/storage/v1/b/:bucketId/o", (req, res, next) => {
    const uploadType = req.query.uploadType || req.header("X-Goog-Upload-Protocol");
    if (uploadType !== "multipart") return next();
    adminStorageLayer.createBucket(req.params.bucketId);
    return wrap(multipartPost)(req, res, next);
  });

  // ---- object metadata updates ----
  // The stock PATCH route is only /b/:bucket/o/:object; the Java client sends /storage/v1/b/..., and as a POST
  // with X-HTTP-Method-Override: PATCH (its HttpURLConnection transport has no PATCH).
  app.all("/storage/v1/b/:bucketId/o/:objectId", (req, res, next) => {
    const override = req.header("X-HTTP-Method-Override");
    if (req.method === "POST" && override && override.toUpperCase() === "PATCH") req.method = "PATCH";
    if (req.method === "PATCH") req.url = req.originalUrl.replace(/^\/storage\/v1/, "");
    next();
  });

  // ---- reset keeps the start-up buckets ----
  app.post("/internal/reset", (req, res) => {
    emulator.reset();
    createStartupBuckets();
    res.sendStatus(200);
  });

  app.use(storageApp);
  app.use((err, req, res, _next) => {
    process.stderr.write(`gcs-emulator: ${req.method} ${req.originalUrl}: ${err && err.stack ? err.stack : err}\n`);
    if (!res.headersSent) jsonError(res, 500, String((err && err.message) || err), "backendError");
    else res.end();
  });

  const server = http.createServer(app);
  server.keepAliveTimeout = 65000; // outlive client pools' idle timeouts
  server.headersTimeout = 66000;
  server.on("error", (err) => {
    process.stderr.write(`gcs-emulator: cannot listen on ${opts.host}:${opts.port}: ${err.message}\n`);
    process.exit(1);
  });
  server.listen(opts.port, opts.host, () => {
    const port = server.address().port;
    emulator.args.port = port;
    const hostPart = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
    process.stdout.write(`GCS emulator listening on http://${hostPart}:${port}\n`);
  });

  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`gcs-emulator: ${signal}, shutting down\n`);
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((err) => {
  process.stderr.write(`gcs-emulator: failed to start: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
