package io.ttv.build;

import org.ops4j.pax.swissbox.bnd.BndUtils;
import org.ops4j.pax.swissbox.bnd.OverwriteMode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.JarFile;

/**
 * Wraps third-party jars as OSGi bundles at build time, as Karaf's {@code wrap:} URL handler did at a node's first
 * boot: the same library (pax-url-wrap's {@code BndUtils}), the same instructions and the same location string, so
 * each bundle gets the manifest Karaf gave it, and a fresh node has nothing to analyse (docs/packaging.md).
 * <p>
 * Arguments: the file listing one {@code wrap:mvn:group/artifact/version[$instructions]} URL per line ({@code #}
 * starts a comment), the local Maven repository, and the output directory, which receives
 * {@code <artifactId>.jar} per URL.
 */
public final class WrapBundles {
    private static final String PREFIX = "wrap:mvn:";

    private WrapBundles() {
    }

    public static void main(String[] args) throws IOException {
        Path repository = Path.of(args[1]);
        Path out = Files.createDirectories(Path.of(args[2]));
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            String url = line.strip();
            if (!url.isEmpty() && !url.startsWith("#")) {
                wrap(url, repository, out);
            }
        }
    }

    private static void wrap(String url, Path repository, Path out) throws IOException {
        if (!url.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a wrap:mvn: URL: " + url);
        }
        int dollar = url.indexOf('$');
        String[] gav = url.substring(PREFIX.length(), dollar < 0 ? url.length() : dollar).split("/");
        if (gav.length != 3) {
            throw new IllegalArgumentException("expected wrap:mvn:group/artifact/version: " + url);
        }
        Path jar = repository.resolve(gav[0].replace('.', '/')).resolve(gav[1]).resolve(gav[2])
                .resolve(gav[1] + "-" + gav[2] + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: declare " + String.join(":", gav)
                    + " as a provided dependency of wrapped/pom.xml");
        }
        // As pax-url-wrap's URL parser: the instructions, with "overwrite" also choosing the mode.
        Properties instructions = dollar < 0 ? new Properties() : BndUtils.parseInstructions(url.substring(dollar + 1));
        OverwriteMode mode = OverwriteMode.valueOf(
                instructions.getProperty("overwrite", OverwriteMode.KEEP.name()).toUpperCase(Locale.ROOT));
        Path bundle = out.resolve(gav[1] + ".jar");
        try (InputStream in = Files.newInputStream(jar);
             InputStream wrapped = BndUtils.createBundle(in, instructions, url, mode)) {
            Files.copy(wrapped, bundle, StandardCopyOption.REPLACE_EXISTING);
        }
        // The bundle is written by a background thread that only logs its failures: check what it wrote.
        try (JarFile written = new JarFile(bundle.toFile())) {
            Attributes main = written.getManifest() == null ? null : written.getManifest().getMainAttributes();
            if (main == null || main.getValue("Bundle-SymbolicName") == null
                    || !"2".equals(main.getValue("Bundle-ManifestVersion"))) {
                throw new IllegalStateException("wrapping " + url + " wrote no bundle manifest");
            }
        }
    }
}
