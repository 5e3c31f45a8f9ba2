package io.ttv.pipeline.core.gcs;

import com.google.auth.ServiceAccountSigner;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import io.ttv.pipeline.core.config.PipelineConfig;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Where artifacts live in GCS (docs/operations.md), signed download URLs, and a cheap reachability probe. */
public class ArtifactStore {
    public static final String VIDEO_NAME = "final_video.mp4";
    public static final String MANIFEST_NAME = "job.json";
    public static final String VIDEO_CONTENT_TYPE = "video/mp4";
    /** Custom metadata keys of the video and the manifest. */
    public static final String METADATA_JOB_ID = "job_id";
    public static final String METADATA_GENERATOR = "generator";

    private final Storage storage;
    private final PipelineConfig config;
    private final ServiceAccountSigner signer;

    public ArtifactStore(Storage storage, PipelineConfig config) {
        this.storage = storage;
        this.config = config;
        this.signer = StorageClients.signer(storage, config);
    }

    public String bucket() {
        return config.gcsBucket();
    }

    /** {@code {prefix}/{YYYY-MM}/{job_id}/} — the month of the job's creation, UTC. */
    public String folder(String jobId, Instant createdAt) {
        YearMonth month = YearMonth.from(createdAt.atZone(ZoneOffset.UTC));
        String prefix = config.gcsPrefix();
        return (prefix.isEmpty() ? "" : prefix + "/") + month + "/" + jobId + "/";
    }

    public String gcsUri(String objectName) {
        return "gs://" + config.gcsBucket() + "/" + objectName;
    }

    /** The object name inside the bucket of a {@code gs://bucket/name} URI of this store. */
    public String objectName(String gcsUri) {
        String start = "gs://" + config.gcsBucket() + "/";
        if (gcsUri == null || !gcsUri.startsWith(start)) {
            throw new IllegalArgumentException("not an artifact of bucket " + config.gcsBucket());
        }
        return gcsUri.substring(start.length());
    }

    /**
     * Bytes sent per request of a resumable upload, a multiple of 256 KiB; a file no larger than this goes in one
     * request instead. Each upload in flight holds one buffer of this size on the heap.
     */
    private static final int UPLOAD_CHUNK_BYTES = 4 * 1024 * 1024;

    /**
     * Stores a file as {@code objectName} with its content type and custom metadata. Up to
     * {@link #UPLOAD_CHUNK_BYTES} it is one multipart request; a larger file is a resumable upload streamed from disk
     * in chunks of that size (a 200 MiB video needs 4 MiB of heap). Not gzipped (video does not compress). Retried
     * like every call of this client (uniform retry strategy, {@code StorageClients}).
     *
     * <p>Not camel-google-storage's producer: in 4.14.0 it has no custom metadata (a metadata-only update per
     * object had to follow) and no buffer size (the client's default 15 MiB heap buffer per upload ran a worker out
     * of heap at concurrency 8 with {@code -Xmx160m}); it took three requests per object where this takes one.
     */
    public Blob upload(String objectName, String contentType, Path file, Map<String, String> metadata)
            throws IOException {
        if (Files.size(file) <= UPLOAD_CHUNK_BYTES) {
            return upload(objectName, contentType, Files.readAllBytes(file), metadata);
        }
        return storage.createFrom(info(objectName, contentType, metadata), file, UPLOAD_CHUNK_BYTES,
                Storage.BlobWriteOption.disableGzipContent());
    }

    /** Stores {@code content} as {@code objectName} in one request (see the file variant). */
    public Blob upload(String objectName, String contentType, byte[] content, Map<String, String> metadata) {
        return storage.create(info(objectName, contentType, metadata), content,
                Storage.BlobTargetOption.disableGzipContent());
    }

    private BlobInfo info(String objectName, String contentType, Map<String, String> metadata) {
        return BlobInfo.newBuilder(BlobId.of(config.gcsBucket(), objectName)).setContentType(contentType)
                .setMetadata(metadata).build();
    }

    /** Removes a job's artifacts (a job canceled while they were being uploaded). */
    public void delete(String folder) {
        storage.delete(BlobId.of(config.gcsBucket(), folder + VIDEO_NAME), BlobId.of(config.gcsBucket(), folder + MANIFEST_NAME));
    }

    /** A V4 GET URL for the object, valid for {@code seconds}. */
    public URL signedUrl(String objectName, long seconds) {
        if (signer == null) {
            throw new IllegalStateException("the configured GCS credentials cannot sign URLs");
        }
        List<Storage.SignUrlOption> options = new ArrayList<>();
        options.add(Storage.SignUrlOption.withV4Signature());
        options.add(Storage.SignUrlOption.signWith(signer));
        if (config.usesGcsEmulator()) {
            options.add(Storage.SignUrlOption.withHostName(config.gcsEndpoint()));
            options.add(Storage.SignUrlOption.withPathStyle());
        }
        return storage.signUrl(BlobInfo.newBuilder(BlobId.of(config.gcsBucket(), objectName)).build(), seconds,
                TimeUnit.SECONDS, options.toArray(Storage.SignUrlOption[]::new));
    }

    /** Reads one object's metadata under the prefix: fails if the store is unreachable or access is denied. */
    public void probe() {
        storage.get(BlobId.of(config.gcsBucket(), folder("readiness-probe", Instant.EPOCH) + "probe"));
    }
}
