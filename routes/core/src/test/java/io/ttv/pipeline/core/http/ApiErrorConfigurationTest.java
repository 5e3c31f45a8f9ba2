package io.ttv.pipeline.core.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.component.direct.DirectConsumerNotAvailableException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The error answers of the shared API error policy for failures that do not come from a flow's own step. */
class ApiErrorConfigurationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aFlowThatDoesNotComeBackIsA503WithRetryAfterNotA500() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(camel);
            new ApiErrorConfiguration(new Api(JSON)).respond(exchange,
                    new DirectConsumerNotAvailableException("No consumers available on endpoint", exchange));
            assertEquals(503, exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class));
            assertEquals("5", exchange.getMessage().getHeader("Retry-After"));
            JsonNode body = JSON.readTree(exchange.getMessage().getBody(byte[].class));
            assertEquals("ServiceUnavailable", body.get("error").asText());
            assertTrue(body.get("retryable").asBoolean());
            assertFalse(body.toString().contains("Exception"), body.toString());
        }
    }
}
