package io.ttv.pipeline.core.http;

import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.rest.ParamDefinition;
import org.apache.camel.model.rest.ResponseMessageDefinition;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.RestParamType;
import org.apache.camel.model.rest.VerbDefinition;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The OpenAPI 3 document of the API, generated from the REST DSL model (paths, methods, operation ids,
 * parameters, request and response schemas, documented status codes), plus what the front door ({@link FrontDoor})
 * adds to every operation: its security (an API key on the protected paths, none elsewhere) and the answers it can
 * give (401, 413, 429, 500). Body schemas come from {@link ApiSchemaCatalog} by the simple name of the class the
 * DSL names. OpenApiLintTest holds the document to Redocly's recommended rules (scripts/openapi-lint).
 */
public final class OpenApiDocument {
    /** The API key, either way {@link FrontDoor#authenticate} reads it; needed only when keys are configured. */
    static final List<Map<String, List<String>>> API_KEY = List.of(Map.of("bearer", List.of()),
            Map.of("apiKey", List.of()));
    private static final String KEYS_CONFIGURED = " Required on /v1/jobs*, /jobs* and /v1/admin/* when the node has "
            + "API keys configured (TTV_API_KEYS); a node without keys lets every request through.";

    private OpenApiDocument() {
    }

    public static Map<String, Object> of(CamelContext camel, String version) {
        Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
        Map<String, Map<String, Object>> paths = new TreeMap<>();
        Map<String, Map<String, String>> tags = new LinkedHashMap<>();
        for (RestDefinition rest : model.getRestDefinitions()) {
            for (VerbDefinition verb : rest.getVerbs()) {
                if ("false".equals(verb.getApiDocs())) {
                    continue;
                }
                String path = PathTemplates.join(rest.getPath(), verb.getPath());
                paths.computeIfAbsent(path, p -> new TreeMap<>()).put(verb.asVerb(), operation(rest, verb, path));
                String tag = tagOf(rest);
                if (tag != null) {
                    Map<String, String> t = tags.computeIfAbsent(tag,
                            name -> new LinkedHashMap<>(Map.of("name", name)));
                    if (rest.getTag() != null && rest.getDescriptionText() != null) {
                        t.putIfAbsent("description", rest.getDescriptionText());
                    }
                }
            }
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.0.3");
        doc.put("info", Map.of("title", "TTV Pipeline API", "version", version,
                "description", "Text-to-video jobs: submit a prompt, poll the job or receive signed callbacks, "
                        + "download the video through a signed link.",
                "license", Map.of("name", "Proprietary")));
        // Relative: the node that served this document, whatever address or proxy it was reached through.
        doc.put("servers", List.of(Map.of("url", "/", "description", "The node that served this document")));
        // Every operation states its own: the public ones none, the job and admin ones the API key.
        doc.put("security", API_KEY);
        doc.put("tags", List.copyOf(tags.values()));
        doc.put("paths", paths);
        doc.put("components", Map.of(
                "schemas", ApiSchemaCatalog.schemas(),
                "securitySchemes", Map.of(
                        "bearer", Map.of("type", "http", "scheme", "bearer", "description",
                                "An API key as a bearer token: Authorization: Bearer <key>." + KEYS_CONFIGURED),
                        "apiKey", Map.of("type", "apiKey", "in", "header", "name", "X-API-Key", "description",
                                "An API key in the X-API-Key header (it wins over Authorization when both are "
                                        + "sent)." + KEYS_CONFIGURED))));
        return doc;
    }

    private static Map<String, Object> operation(RestDefinition rest, VerbDefinition verb, String path) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("operationId", verb.getId());
        op.put("summary", verb.getDescriptionText());
        String tag = tagOf(rest);
        if (tag != null) {
            op.put("tags", List.of(tag));
        }
        List<Map<String, Object>> params = new ArrayList<>();
        for (ParamDefinition p : verb.getParams()) {
            // The body is described by requestBody (OpenAPI 3 has no body parameters).
            if (p.getType() != RestParamType.body) {
                params.add(parameter(p));
            }
        }
        if (!params.isEmpty()) {
            op.put("parameters", params);
        }
        if (verb.getType() != null) {
            op.put("requestBody", Map.of("required", true, "content",
                    Map.of("application/json", Map.of("schema", ref(verb.getType())))));
        }
        Map<String, Object> responses = new TreeMap<>();
        for (ResponseMessageDefinition r : verb.getResponseMsgs()) {
            responses.put(r.getCode(), response(r.getCode(), r.getMessage(), r.getResponseModel()));
        }
        if (FrontDoor.isProtectedPath(path)) {
            op.put("security", API_KEY);
            responses.putIfAbsent("401", response("401", "Unauthorized: API key missing or wrong (when keys "
                    + "are configured); WWW-Authenticate: Bearer", null));
            responses.putIfAbsent("503", response("503", "RedisUnavailable (or StorageUnavailable); Retry-After gives "
                    + "the seconds to wait", null));
        } else {
            // Open whatever the configuration: no credential is read.
            op.put("security", List.of());
        }
        // The body limit (TTV_MAX_BODY_BYTES) holds on every path, before any route reads the request.
        responses.putIfAbsent("413", response("413", "PayloadTooLarge: the request body is over the server's limit",
                null));
        if (!FrontDoor.UNLIMITED.contains(path)) {
            responses.putIfAbsent("429", response("429", "RateLimitExceeded; Retry-After gives the seconds to wait",
                    null));
        }
        responses.putIfAbsent("500", response("500", "InternalError", null));
        op.put("responses", responses);
        return op;
    }

    /** The rest definition's tag, else its description (which then names the group). */
    private static String tagOf(RestDefinition rest) {
        return rest.getTag() != null ? rest.getTag() : rest.getDescriptionText();
    }

    private static Map<String, Object> parameter(ParamDefinition p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", p.getName());
        String in = p.getType() == null ? "query" : p.getType().name();
        out.put("in", in);
        // Camel defaults every parameter to required; in this API only path parameters are.
        out.put("required", p.getType() == RestParamType.path);
        if (p.getDescription() != null) {
            out.put("description", p.getDescription());
        }
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", p.getDataType() == null ? "string" : p.getDataType());
        if (!p.getAllowableValuesAsStringList().isEmpty()) {
            schema.put("enum", p.getAllowableValuesAsStringList());
        }
        if (p.getDefaultValue() != null) {
            schema.put("default", typed(p.getDataType(), p.getDefaultValue()));
        }
        out.put("schema", schema);
        return out;
    }

    private static Object typed(String dataType, String value) {
        return switch (dataType == null ? "string" : dataType) {
            case "integer" -> Long.valueOf(value);
            case "boolean" -> Boolean.valueOf(value);
            default -> value;
        };
    }

    private static Map<String, Object> response(String code, String message, String model) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("description", message == null ? code : message);
        int status = Integer.parseInt(code);
        String schema = model != null ? model : status >= 400 ? "Error" : null;
        if (schema != null && status != 304 && status != 302) {
            out.put("content", Map.of("application/json", Map.of("schema", ref(schema))));
        }
        return out;
    }

    private static Map<String, Object> ref(String className) {
        String name = className.substring(Math.max(className.lastIndexOf('$'), className.lastIndexOf('.')) + 1);
        return Map.of("$ref", "#/components/schemas/" + name);
    }
}
