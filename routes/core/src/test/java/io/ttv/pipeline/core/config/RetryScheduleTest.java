package io.ttv.pipeline.core.config;

import io.ttv.pipeline.core.config.ConfigException;
import io.ttv.pipeline.core.config.PipelineConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryScheduleTest {
    @Test
    void defaultIsSevenDelaysOverAboutAnHour() {
        RetrySchedule s = PipelineConfig.resolve(Map.of(), Map.of()).callbackRetrySchedule();
        assertEquals(List.of(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(2), Duration.ofMinutes(5),
                Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofHours(1)), s.delays());
        assertEquals(8, s.maxAttempts());
    }

    @Test
    void unitsAndSpacesAreAccepted() {
        assertEquals(List.of(Duration.ofMillis(10), Duration.ofSeconds(2), Duration.ofMinutes(3), Duration.ofHours(4)),
                RetrySchedule.parse(" 10ms, 2s ,3M,4h ").delays());
        assertEquals(List.of(Duration.ofMillis(250)), PipelineConfig.resolve(
                Map.of("ttv.callbacks", Map.of("callback.retry-schedule", "250ms")), Map.of())
                .callbackRetrySchedule().delays());
    }

    @Test
    void badSchedulesAreConfigErrorsNamingTheVariable() {
        for (String bad : List.of("", " ", "5", "5x", "-5s", "5s,,10s", "5s,", "0s", "25h", "1.5s", "5 s", "abc",
                "5s;10s", "99999999999s")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> PipelineConfig.resolve(Map.of(), Map.of("TTV_CALLBACK_RETRY_SCHEDULE", bad)), bad);
            assertTrue(e.getMessage().contains("TTV_CALLBACK_RETRY_SCHEDULE"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> RetrySchedule.parse("1s,".repeat(31) + "1s"));
    }

    @Test
    void delaysAreJitteredByTwentyPercentAndEndWithTheSchedule() {
        RetrySchedule s = RetrySchedule.parse("10s,1m");
        assertEquals(Duration.ofSeconds(8), s.delayAfter(1, () -> 0.0));
        assertEquals(Duration.ofSeconds(10), s.delayAfter(1, () -> 0.5));
        assertEquals(Duration.ofMillis(71_976), s.delayAfter(2, () -> 0.999));
        assertNull(s.delayAfter(3, () -> 0.5));
        assertNull(s.delayAfter(0, () -> 0.5));
    }

    @Test
    void webhookSecretsAreCheckedAtConfiguration() {
        for (String bad : List.of("whsec_***", "whsec_", "whsec_c2hvcnQ=")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> PipelineConfig.resolve(Map.of(), Map.of("TTV_CALLBACK_SECRET", bad)), bad);
            assertTrue(e.getMessage().contains("TTV_CALLBACK_SECRET") && e.getMessage().contains("'***'"), e.getMessage());
        }
        assertEquals("plain", PipelineConfig.resolve(Map.of(), Map.of("TTV_CALLBACK_SECRET", " plain ")).callbackSecret());
    }
}
