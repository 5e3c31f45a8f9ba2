package io.ttv.pipeline.core.domain;

import java.util.Map;

/**
 * Which callback events a stored job takes: those in its {@code callback_events} (comma-separated), and none without
 * a {@code callback_url}. The same rule as {@code callback-enqueue.lua}, for the steps that hold the job already.
 */
public final class CallbackSubscription {
    private CallbackSubscription() {
    }

    public static boolean includes(Map<String, String> job, String event) {
        String url = job.get("callback_url");
        if (url == null || url.isEmpty()) {
            return false;
        }
        for (String subscribed : job.getOrDefault("callback_events", "").split(",")) {
            if (subscribed.equals(event)) {
                return true;
            }
        }
        return false;
    }
}
