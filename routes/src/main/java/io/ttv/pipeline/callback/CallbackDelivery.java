package io.ttv.pipeline.callback;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ttv.pipeline.domain.CallbackTargets;
import io.ttv.pipeline.domain.JobView;
import io.ttv.pipeline.domain.Timestamps;
import io.ttv.pipeline.routes.Endpoints;
import io.ttv.pipeline.store.JobStore;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds a signed callback request for a job event, or decides that none is due. */
public class CallbackDelivery {
    public static final String TARGET = "TtvCallbackTarget";

    private final JobStore jobs;
    private final ObjectMapper mapper;
    private final WebhookSigner signer;
    private final boolean allowPrivate;

    public CallbackDelivery(JobStore jobs, ObjectMapper mapper, String secret, boolean allowPrivate) {
        this.jobs = jobs;
        this.mapper = mapper;
        this.signer = secret == null || secret.isEmpty() ? null : new WebhookSigner(secret);
        this.allowPrivate = allowPrivate;
    }

    /**
     * Prepares the POST for the exchange's job and event. Leaves {@link #TARGET} unset when the job has no
     * callback, has not subscribed to the event, or points at a refused address.
     */
    public void prepare(Exchange exchange) throws Exception {
        String id = exchange.getProperty(Endpoints.JOB_ID, String.class);
        String event = exchange.getMessage().getHeader(Endpoints.CALLBACK_EVENT, String.class);
        Map<String, String> job = id == null ? null : jobs.get(id);
        if (job == null || job.get("callback_url") == null) {
            return;
        }
        List<String> events = Arrays.asList(job.getOrDefault("callback_events", "").split(","));
        if (!events.contains(event)) {
            return;
        }
        URI target = URI.create(job.get("callback_url"));
        if (!allowPrivate && resolvesToInternal(target.getHost())) {
            jobs.log(id, "callback refused: target resolves to an internal address");
            return;
        }
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("type", "job." + event);
        envelope.put("timestamp", Timestamps.now());
        envelope.put("data", JobView.of(job, mapper));
        byte[] body = mapper.writeValueAsBytes(envelope);

        String webhookId = "msg_" + id + "_" + event;
        long now = System.currentTimeMillis() / 1000;
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_METHOD, "POST");
        m.setHeader(Exchange.HTTP_URI, target.toString());
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setHeader("User-Agent", "ttv-pipeline-callbacks");
        m.setHeader("webhook-id", webhookId);
        m.setHeader("webhook-timestamp", Long.toString(now));
        if (signer != null) {
            m.setHeader("webhook-signature", signer.sign(webhookId, now, body));
        }
        m.setBody(body);
        exchange.setProperty(TARGET, target.getScheme() + "://" + target.getHost());
    }

    static boolean resolvesToInternal(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (CallbackTargets.isInternal(a)) {
                    return true;
                }
            }
            return false;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
