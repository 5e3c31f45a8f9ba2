package io.ttv.pipeline.core.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ttv.pipeline.core.config.PipelineConfig.Role;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code /openapi.json} passes a standard OpenAPI linter with no error and no warning: Redocly CLI, pinned in
 * scripts/openapi-lint (installed there by scripts/test.sh), with its {@code recommended} rules as that folder's
 * redocly.yaml applies them (one rule off, said why there). The document is the one {@link OpsRoutes} serves, built
 * from the REST contract of a node of role {@code all}; the linter's report is printed on failure.
 */
class OpenApiLintTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Maven runs the test in routes/core; -Dttv.openapi.lint=DIR points elsewhere. */
    private static final Path LINT_DIR = Path.of(System.getProperty("ttv.openapi.lint", "../../scripts/openapi-lint"))
            .toAbsolutePath().normalize();
    private static final Path CLI = LINT_DIR.resolve("node_modules/@redocly/cli/bin/cli.js");

    @TempDir
    Path tmp;

    @Test
    void theDocumentPassesTheRecommendedRulesWithoutAWarning() throws Exception {
        Lint lint = lint(document());
        assertTrue(lint.exitCode == 0 && lint.errors == 0 && lint.warnings == 0,
                "Redocly (" + LINT_DIR + ") reported " + lint.errors + " errors and " + lint.warnings
                        + " warnings, exit code " + lint.exitCode + ":\n" + lint.report());
    }

    /** The linter really runs the recommended rules: the problems the document once had are reported. */
    @Test
    void theLinterReportsWhatTheDocumentOnceLacked() throws Exception {
        ObjectNode doc = JSON.valueToTree(document());
        doc.remove(List.of("servers", "security"));
        ObjectNode healthz = (ObjectNode) doc.at("/paths/~1healthz/get");
        healthz.remove("security");
        healthz.set("responses", JSON.valueToTree(Map.of("200", Map.of("description", "Alive"))));

        Lint lint = lint(doc);
        assertEquals(1, lint.exitCode, lint.report());
        for (String rule : List.of("no-empty-servers", "security-defined", "operation-4xx-response")) {
            assertTrue(lint.rules.contains(rule), rule + " not reported:\n" + lint.report());
        }
    }

    /** The document a node of every role serves, from the REST contract alone (no Redis, no HTTP server). */
    static Map<String, Object> document() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext(false)) {
            camel.addRoutes(new RestContract(Role.ALL));
            return OpenApiDocument.of(camel, "0.1.0-test");
        }
    }

    private Lint lint(Object doc) throws Exception {
        if (!Files.isRegularFile(CLI)) {
            fail("The OpenAPI linter is not installed: " + CLI + " is missing. scripts/test.sh installs it "
                    + "(ensure_openapi_lint in scripts/lib.sh); by hand: cd scripts/openapi-lint && npm ci "
                    + "--ignore-scripts");
        }
        Path file = tmp.resolve("openapi.json");
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        ProcessBuilder builder = new ProcessBuilder("node", CLI.toString(), "lint", "--format=json",
                "--config=" + LINT_DIR.resolve("redocly.yaml"), "--max-problems=1000", file.toString())
                .directory(tmp.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("REDOCLY_TELEMETRY", "off");
        builder.environment().put("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true");
        Process p = builder.start();
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String stdout = read(p.getInputStream());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the linter did not finish within 120 s:\n" + stdout + stderr.join());
        }
        JsonNode out;
        try {
            out = JSON.readTree(stdout);
        } catch (Exception e) {
            fail("the linter printed no JSON report (exit code " + p.exitValue() + "):\n" + stdout + stderr.join());
            return null;
        }
        Lint lint = new Lint(p.exitValue(), out.at("/totals/errors").asInt(-1), out.at("/totals/warnings").asInt(-1),
                new ArrayList<>(), new StringBuilder());
        for (JsonNode problem : out.path("problems")) {
            lint.rules.add(problem.path("ruleId").asText());
            JsonNode at = problem.at("/location/0");
            lint.lines.append(String.format("  %s:%d  %-7s  %-28s  %s  (%s)%n", file.getFileName(),
                    at.at("/start/line").asInt(), problem.path("severity").asText(), problem.path("ruleId").asText(),
                    problem.path("message").asText(), at.path("pointer").asText()));
        }
        lint.lines.append(stderr.join());
        return lint;
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Lint(int exitCode, int errors, int warnings, List<String> rules, StringBuilder lines) {
        String report() {
            return lines.toString();
        }
    }
}
