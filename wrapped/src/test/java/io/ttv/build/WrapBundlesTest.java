package io.ttv.build;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WrapBundlesTest {
    @TempDir
    Path dir;

    @Test
    void aListedJarBecomesABundleWithTheInstructionsOfItsWrapUrl() throws Exception {
        Path repository = dir.resolve("repository");
        plainJar(repository.resolve("com/example/sample/1.2.3/sample-1.2.3.jar"));
        Path list = Files.writeString(dir.resolve("bundles.list"), String.join("\n",
                "# a comment, then an empty line",
                "",
                "wrap:mvn:com.example/sample/1.2.3$Bundle-Name=Wrap%20of%20Sample"
                        + "&Bundle-SymbolicName=wrap_com.example.sample&Bundle-Version=1.2.3"
                        + "&Export-Package=com.example.*;version=1.2.3", ""));
        Path out = dir.resolve("out");

        WrapBundles.main(new String[] {list.toString(), repository.toString(), out.toString()});

        try (JarFile bundle = new JarFile(out.resolve("sample.jar").toFile())) {
            Attributes headers = bundle.getManifest().getMainAttributes();
            assertEquals("2", headers.getValue("Bundle-ManifestVersion"));
            assertEquals("wrap_com.example.sample", headers.getValue("Bundle-SymbolicName"));
            assertEquals("1.2.3", headers.getValue("Bundle-Version"));
            assertEquals("Wrap of Sample", headers.getValue("Bundle-Name"), "the instructions are URL-decoded");
            assertTrue(headers.getValue("Export-Package").contains("com.example.data;version=\"1.2.3\""),
                    headers.getValue("Export-Package"));
            assertNotNull(bundle.getEntry("com/example/data/sample.txt"), "the jar's content is kept");
        }
        assertEquals(1, Files.list(out).count(), "one bundle per URL");
    }

    @Test
    void aJarMissingFromTheRepositoryStopsTheBuildNamingItsCoordinates() throws Exception {
        Path list = Files.writeString(dir.resolve("bundles.list"), "wrap:mvn:com.example/absent/1.0$Export-Package=*\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> WrapBundles.main(
                new String[] {list.toString(), dir.resolve("repository").toString(), dir.resolve("out").toString()}));
        assertTrue(e.getMessage().contains("com.example:absent:1.0"), e.getMessage());
    }

    @Test
    void aLineThatIsNotAWrapMvnUrlIsRefused() throws Exception {
        Path list = Files.writeString(dir.resolve("bundles.list"), "mvn:com.example/sample/1.2.3\n");
        assertThrows(IllegalArgumentException.class, () -> WrapBundles.main(
                new String[] {list.toString(), dir.toString(), dir.resolve("out").toString()}));
    }

    /** A jar without an OSGi manifest, holding one resource in package com.example.data. */
    private static void plainJar(Path jar) throws IOException {
        Files.createDirectories(jar.getParent());
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            out.putNextEntry(new JarEntry("com/example/data/sample.txt"));
            out.write("sample".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
    }
}
