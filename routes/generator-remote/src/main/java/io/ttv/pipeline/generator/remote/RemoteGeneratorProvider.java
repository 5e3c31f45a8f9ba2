package io.ttv.pipeline.generator.remote;

import com.google.cloud.BaseServiceException;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import io.ttv.pipeline.core.generator.GeneratorProvider;
import io.ttv.pipeline.generator.GenerationException;
import io.ttv.pipeline.generator.VideoGenerator;

import java.io.IOException;
import java.util.List;

/** Publishes the remote backends whose key (for Veo: credentials or a token) is configured. */
public class RemoteGeneratorProvider implements GeneratorProvider {
    @Override
    public List<VideoGenerator> generators(Environment environment) {
        return List.copyOf(RemoteGenerators.configured(environment.settings(), environment.mapper(),
                gcsReader(environment.storage())).values());
    }

    /** Reads Veo's gs:// results with the node's GCS client, refusing an object larger than the limit. */
    static VeoGenerator.GcsReader gcsReader(Storage storage) {
        return (gsUri, target, maxBytes) -> {
            Blob blob;
            try {
                blob = storage.get(BlobId.fromGsUtilUri(gsUri));
            } catch (IllegalArgumentException e) {
                throw new GenerationException("Vertex AI Veo returned an invalid Cloud Storage URI", false, null);
            } catch (BaseServiceException e) {
                throw new IOException("reading " + gsUri + " failed", e);
            }
            if (blob == null) {
                throw new GenerationException("The Veo video is missing from Cloud Storage", false, null);
            }
            if (blob.getSize() != null && blob.getSize() > maxBytes) {
                throw new GenerationException("The video from Vertex AI Veo is larger than the limit of " + maxBytes
                        + " bytes", false, null);
            }
            try {
                blob.downloadTo(target);
            } catch (BaseServiceException e) {
                throw new IOException("reading " + gsUri + " failed", e);
            }
        };
    }
}
