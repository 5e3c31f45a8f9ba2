package io.ttv.pipeline.core.http;

/**
 * Names of the API's body schemas, as the REST DSL refers to them ({@code type(..)}, {@code outType(..)},
 * {@code responseModel(..)}); {@link io.ttv.pipeline.core.http.OpenApiDocument} publishes each one's JSON schema
 * under its simple name. The classes carry no data: the routes read and write JSON themselves.
 */
public final class ApiSchemas {
    private ApiSchemas() {
    }

    public static final class CreateJob {
    }

    public static final class Accepted {
    }

    public static final class Job {
    }

    public static final class JobList {
    }

    public static final class JobArray {
    }

    public static final class Logs {
    }

    public static final class Artifact {
    }

    public static final class VideoUrl {
    }

    public static final class DeadLetterList {
    }

    public static final class Replayed {
    }

    public static final class Error {
    }

    public static final class Health {
    }

    public static final class Readiness {
    }

    public static final class Root {
    }
}
