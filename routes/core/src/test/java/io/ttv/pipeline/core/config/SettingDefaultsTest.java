package io.ttv.pipeline.core.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipped etc/ttv.*.cfg files and the code's defaults must agree, key for key. */
class SettingDefaultsTest {
    private static final Path ETC = Path.of("..", "..", "etc");

    @Test
    void everyPidFileListsExactlyItsKeysWithTheCodeDefaults() throws IOException {
        for (Setting.Pid pid : Setting.Pid.values()) {
            Path file = ETC.resolve(pid.id() + ".cfg");
            assertTrue(Files.exists(file), file + " is missing");
            Properties cfg = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                cfg.load(r);
            }
            Set<String> expected = Setting.of(pid).stream().map(Setting::key).collect(Collectors.toSet());
            assertEquals(expected, cfg.stringPropertyNames(), "keys of " + file);
            for (Setting s : Setting.of(pid)) {
                assertEquals(s.defaultValue(), cfg.getProperty(s.key()).trim(), s.key() + " in " + file);
                String text = Files.readString(file);
                assertTrue(text.contains(s.env()), file + " does not document " + s.env());
            }
        }
    }
}
