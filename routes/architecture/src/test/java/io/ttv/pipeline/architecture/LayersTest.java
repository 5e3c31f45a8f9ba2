package io.ttv.pipeline.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layers of docs/architecture.md, checked on the compiled product code: the exported API depends on nothing of
 * ours; the core, which lives as long as the node, only on the API; each flow and each generator bundle on the core
 * and the API, never on another flow or generator (so each can be replaced alone); the console only on the API. No
 * package depends on itself through others.
 */
class LayersTest {
    private static final String API_OPS = "io.ttv.pipeline.ops..";
    private static final String API_GENERATOR = "io.ttv.pipeline.generator";

    private static JavaClasses product;

    @BeforeAll
    static void importProductClasses() {
        product = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.ttv");
        // Every bundle's classes are here: an empty import would pass every rule.
        for (String pkg : new String[] {"io.ttv.pipeline.ops", "io.ttv.pipeline.core.app", "io.ttv.pipeline.intake",
                "io.ttv.pipeline.processing", "io.ttv.pipeline.callbacks", "io.ttv.pipeline.admin",
                "io.ttv.pipeline.generator.local", "io.ttv.pipeline.generator.remote", "io.ttv.shell"}) {
            assertTrue(product.containPackage(pkg), pkg + " was not imported");
        }
    }

    @Test
    void layersDependOnlyDownwards() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("API").definedBy(API_OPS, API_GENERATOR)
            .layer("Core").definedBy("io.ttv.pipeline.core..")
            .layer("Intake").definedBy("io.ttv.pipeline.intake..")
            .layer("Processing").definedBy("io.ttv.pipeline.processing..")
            .layer("Callbacks").definedBy("io.ttv.pipeline.callbacks..")
            .layer("Admin").definedBy("io.ttv.pipeline.admin..")
            .layer("Local generator").definedBy("io.ttv.pipeline.generator.local..")
            .layer("Remote generators").definedBy("io.ttv.pipeline.generator.remote..")
            .layer("Console").definedBy("io.ttv.shell..")
            .whereLayer("Intake").mayNotBeAccessedByAnyLayer()
            .whereLayer("Processing").mayNotBeAccessedByAnyLayer()
            .whereLayer("Callbacks").mayNotBeAccessedByAnyLayer()
            .whereLayer("Admin").mayNotBeAccessedByAnyLayer()
            .whereLayer("Local generator").mayNotBeAccessedByAnyLayer()
            .whereLayer("Remote generators").mayNotBeAccessedByAnyLayer()
            .whereLayer("Console").mayNotBeAccessedByAnyLayer()
            .whereLayer("Core").mayOnlyBeAccessedByLayers("Intake", "Processing", "Callbacks", "Admin",
                    "Local generator", "Remote generators")
            .whereLayer("API").mayOnlyBeAccessedByLayers("Core", "Intake", "Processing", "Callbacks", "Admin",
                    "Local generator", "Remote generators", "Console")
                .check(product);
    }

    @Test
    void noPackageDependsOnItselfThroughOthers() {
        slices().matching("io.ttv.(**)").should().beFreeOfCycles().check(product);
    }
}
