package io.ttv.pipeline.core.domain;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The SSRF guard: internal targets refused at submit (400) and at delivery, unless private targets are allowed. */
class CallbackTargetsTest {
    /** Forbidden hosts as they appear in a URL. */
    static final List<String> FORBIDDEN = List.of(
            "127.0.0.1", "127.255.255.254", "[::1]", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255",
            "192.168.1.1", "169.254.169.254", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::ffff:10.0.0.1]",
            "0.0.0.0", "[::]", "224.0.0.1", "239.255.255.250", "255.255.255.255", "localhost", "LOCALHOST",
            "api.localhost", "localhost.", "127.0.0.1.", "2130706433", "0177.0.0.1", "0x7f000001", "0x7f.0.0.1",
            "127.1", "10.1", "017700000001", "[fc00::1]", "[fd12:3456::1]", "[fe80::1]", "[fec0::1]", "[ff02::1]",
            "100.64.0.1", "100.127.255.255", "[64:ff9b::a9fe:a9fe]", "[2002:7f00:1::]", "[::127.0.0.1]",
            "198.18.0.1", "192.0.0.8", "240.0.0.1");

    /** A resolver under the test's control: names map to chosen addresses; nothing reaches DNS. */
    static final CallbackTargets.Resolver TABLE = host -> switch (host) {
        case "rebind.example" -> new InetAddress[]{InetAddress.getByName("203.0.113.7"), InetAddress.getByName("127.0.0.1")};
        case "metadata.example" -> new InetAddress[]{InetAddress.getByName("169.254.169.254")};
        case "v6.example" -> new InetAddress[]{InetAddress.getByName("fd00::5")};
        case "public.example" -> new InetAddress[]{InetAddress.getByName("93.184.216.34")};
        default -> throw new UnknownHostException(host);
    };

    static final ObjectMapper MAPPER = new ObjectMapper();

    static CreateJobRequest submit(String url, boolean allowPrivate) {
        return CreateJobRequest.parse(("{\"prompt\":\"p\",\"callback_url\":\"" + url + "\"}")
                .getBytes(StandardCharsets.UTF_8), MAPPER,
                new CreateJobRequest.Rules(Set.of("local"), "local", true, allowPrivate, TABLE));
    }

    @Test
    void forbiddenTargetsAreRefusedAtSubmit() {
        for (String host : FORBIDDEN) {
            for (String url : List.of("https://" + host + "/hook", "http://" + host + ":8080/hook")) {
                ValidationException e = assertThrows(ValidationException.class, () -> submit(url, false), url);
                assertEquals("callback_url", e.details().get("field"), url);
            }
        }
        for (String name : List.of("rebind.example", "metadata.example", "v6.example")) {
            assertThrows(ValidationException.class, () -> submit("https://" + name + "/hook", false), name);
        }
        assertEquals("https://public.example/hook", submit("https://public.example/hook", false).callbackUrl());
        assertEquals("https://93.184.216.34/hook", submit("https://93.184.216.34/hook", false).callbackUrl());
        assertEquals("https://[2001:db8::1]/hook", submit("https://[2001:db8::1]/hook", false).callbackUrl());
        // Unresolvable today: accepted at submit, checked again at each delivery.
        assertEquals("https://nxdomain.example/hook", submit("https://nxdomain.example/hook", false).callbackUrl());
    }

    @Test
    void forbiddenTargetsAreRefusedAtDeliveryEvenWhenDnsChangedSinceSubmit() {
        for (String host : FORBIDDEN) {
            assertNotNull(CallbackTargets.refusal(host, TABLE), host);
        }
        assertNotNull(CallbackTargets.refusal("rebind.example", TABLE));
        assertNotNull(CallbackTargets.refusal("metadata.example.", TABLE));
        assertNotNull(CallbackTargets.refusal("V6.Example", TABLE));
        assertNull(CallbackTargets.refusal("public.example", TABLE));
        assertNull(CallbackTargets.refusal("93.184.216.34", TABLE));
        assertNull(CallbackTargets.refusal("[2606:4700::1111]", TABLE));
        assertNotNull(CallbackTargets.refusal(null, TABLE));
    }

    @Test
    void allowPrivateAcceptsThemAtSubmit() {
        for (String host : List.of("127.0.0.1", "[::1]", "10.0.0.1", "localhost", "rebind.example")) {
            assertEquals("https://" + host + "/hook", submit("https://" + host + "/hook", true).callbackUrl(), host);
        }
    }

    @Test
    void theListIsLongEnough() {
        assertEquals(true, FORBIDDEN.size() >= 20, "at least 20 forbidden targets");
    }
}
