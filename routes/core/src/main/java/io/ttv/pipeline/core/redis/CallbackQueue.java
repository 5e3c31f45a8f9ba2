package io.ttv.pipeline.core.redis;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * Callback deliveries waiting for an attempt, kept in Redis so that they outlive the node that queued them: a hash
 * per delivery ({@link RedisKeys#callbackDelivery}: job, event, token, attempt count, and once the first attempt has
 * fixed it, the message) and the due set {@link RedisKeys#callbacksDue} (delivery id → due time, epoch ms). Any node
 * claims the due ones; a claim is a lease, so a delivery whose node dies mid-attempt is taken by another node once
 * the lease has ended. Every change is one Lua script; every key a script touches is passed to it.
 * <p>
 * A delivery has the id of its dead letter, {@code <job id>_<event>}: queueing a job event again replaces a pending
 * delivery of it (a new token; the old one's late outcomes are ignored).
 */
public class CallbackQueue {
    /**
     * How long the node that queued a delivery has to make its first attempt (through its in-memory hand-off)
     * before the delivery is due for every node: so that nodes do not race for first attempts, and a hand-off lost
     * with its node (or stuck behind a backlog) is taken over soon.
     */
    public static final Duration HANDOFF_GRACE = Duration.ofSeconds(5);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final LongSupplier clock;
    private final DefaultRedisScript<Long> enqueueScript;
    @SuppressWarnings("rawtypes")
    private final DefaultRedisScript<List> claimScript;
    @SuppressWarnings("rawtypes")
    private final DefaultRedisScript<List> fixScript;
    private final DefaultRedisScript<Long> ackScript;
    private final DefaultRedisScript<Long> retryScript;
    private final DefaultRedisScript<Long> deadLetterScript;

    public CallbackQueue(StringRedisTemplate redis, RedisKeys keys) {
        this(redis, keys, System::currentTimeMillis);
    }

    /** @param clock epoch milliseconds (due times, leases) */
    public CallbackQueue(StringRedisTemplate redis, RedisKeys keys, LongSupplier clock) {
        this.redis = redis;
        this.keys = keys;
        this.clock = clock;
        this.enqueueScript = new DefaultRedisScript<>(JobStore.luaSource("callback-enqueue.lua"), Long.class);
        this.claimScript = new DefaultRedisScript<>(JobStore.luaSource("callback-claim.lua"), List.class);
        this.fixScript = new DefaultRedisScript<>(JobStore.luaSource("callback-fix.lua"), List.class);
        this.ackScript = new DefaultRedisScript<>(JobStore.luaSource("callback-ack.lua"), Long.class);
        this.retryScript = new DefaultRedisScript<>(JobStore.luaSource("callback-retry.lua"), Long.class);
        this.deadLetterScript = new DefaultRedisScript<>(JobStore.luaSource("callback-dead-letter.lua"), Long.class);
    }

    /**
     * One claimed delivery, as its claim left it.
     *
     * @param token     names this queueing of the job event: outcomes are recorded only while it is current
     * @param attempt   the attempt this claim is for (1 = the first)
     * @param webhookId the message's {@code webhook-id}, null until the first attempt fixed the message
     * @param target    the callback URL the message goes to, null until then
     * @param body      the message's body (JSON), null until then
     * @param lastError how the previous attempt failed, null if none did
     */
    public record Delivery(String id, String token, int attempt, String jobId, String event, String webhookId,
                           String target, String body, String lastError) {
        /** Whether the message (webhook-id, target, body) has been fixed by an earlier attempt. */
        public boolean fixed() {
            return body != null;
        }

        Delivery withMessage(String webhookId, String target, String body) {
            return new Delivery(id, token, attempt, jobId, event, webhookId, target, body, lastError);
        }
    }

    /**
     * Queues the delivery of {@code event} of job {@code jobId} if the job has subscribed to it, due for every node
     * after {@link #HANDOFF_GRACE} (the caller hands it to its own delivery route meanwhile).
     *
     * @return the delivery's token (for {@link #claimHandedOff}), or null when the job takes no such callback
     */
    public String enqueue(String jobId, String event) {
        return enqueue(jobId, event, false);
    }

    /** As {@link #enqueue}, whatever the job's subscription: an operator's replay of a dead letter. */
    public String enqueueReplay(String jobId, String event) {
        return enqueue(jobId, event, true);
    }

    private String enqueue(String jobId, String event, boolean replay) {
        String id = RedisKeys.callbackDeliveryId(jobId, event);
        String token = UUID.randomUUID().toString();
        long now = clock.getAsLong();
        Long queued = redis.execute(enqueueScript,
                List.of(keys.job(jobId), keys.callbackDelivery(id), keys.callbacksDue()),
                id, jobId, event, token, Long.toString(now), replay ? "1" : "0",
                Long.toString(now + HANDOFF_GRACE.toMillis()));
        return queued != null && queued == 1L ? token : null;
    }

    /**
     * Claims the delivery the outbox of this node has just queued ({@code token}), due or not, unless it was
     * replaced or another node has claimed it already (its hand-off came too late).
     *
     * @return the claimed delivery, or null
     */
    public Delivery claimHandedOff(String id, String token, Duration lease) {
        List<Delivery> claimed = claim(List.of(id), token, lease);
        return claimed.isEmpty() ? null : claimed.get(0);
    }

    /** Claims up to {@code max} due deliveries, most overdue first, each for one attempt under a lease. */
    public List<Delivery> claimDue(int max, Duration lease) {
        if (max < 1) {
            return List.of();
        }
        Set<String> due = redis.opsForZSet().rangeByScore(keys.callbacksDue(), Double.NEGATIVE_INFINITY,
                clock.getAsLong(), 0, max);
        if (due == null || due.isEmpty()) {
            return List.of();
        }
        return claim(List.copyOf(due), "", lease);
    }

    private List<Delivery> claim(List<String> ids, String token, Duration lease) {
        long now = clock.getAsLong();
        List<String> scriptKeys = new ArrayList<>(ids.size() + 1);
        scriptKeys.add(keys.callbacksDue());
        List<String> args = new ArrayList<>(ids.size() + 3);
        args.add(Long.toString(now));
        args.add(Long.toString(now + lease.toMillis()));
        args.add(token);
        for (String id : ids) {
            scriptKeys.add(keys.callbackDelivery(id));
            args.add(id);
        }
        List<?> raw = redis.execute(claimScript, scriptKeys, args.toArray());
        List<Delivery> out = new ArrayList<>();
        for (Object fields : raw == null ? List.of() : raw) {
            out.add(delivery(pairs(fields)));
        }
        return out;
    }

    private static Map<String, String> pairs(Object fields) {
        Map<String, String> m = new HashMap<>();
        if (fields instanceof List<?> list) {
            for (int i = 0; i + 1 < list.size(); i += 2) {
                m.put(list.get(i).toString(), list.get(i + 1).toString());
            }
        }
        return m;
    }

    private static Delivery delivery(Map<String, String> h) {
        return new Delivery(h.get("id"), h.get("token"), Integer.parseInt(h.getOrDefault("attempt", "0")),
                h.get("job_id"), h.get("event"), h.get("webhook_id"), h.get("target"), h.get("body"),
                h.get("last_error"));
    }

    /**
     * Fixes the message of a delivery at its first attempt, so that every attempt, on any node, sends the same
     * {@code webhook-id} and body. If an earlier attempt fixed it already, that message is kept.
     *
     * @return the delivery with the message as stored, or null when the delivery was replaced or is gone
     */
    public Delivery fix(Delivery d, String webhookId, String target, String body) {
        List<?> r = redis.execute(fixScript, List.of(keys.callbackDelivery(d.id())), d.token(), webhookId,
                target, body, Long.toString(clock.getAsLong()));
        if (r == null || r.size() != 3 || r.get(2) == null) {
            return null;
        }
        return d.withMessage(r.get(0).toString(), r.get(1).toString(), r.get(2).toString());
    }

    /** Removes a delivery that needs no further attempt; false when it was replaced or is gone. */
    public boolean acknowledge(Delivery d) {
        Long r = redis.execute(ackScript, List.of(keys.callbackDelivery(d.id()), keys.callbacksDue()),
                d.id(), d.token());
        return r != null && r == 1L;
    }

    /**
     * Schedules the next attempt after a failed one, {@code delay} from now. False when the delivery was replaced,
     * is gone, or has been claimed again since (this attempt's lease had ended): its new claimer decides.
     */
    public boolean retry(Delivery d, Duration delay, String error) {
        Long r = redis.execute(retryScript, List.of(keys.callbackDelivery(d.id()), keys.callbacksDue()),
                d.id(), d.token(), Integer.toString(d.attempt()),
                Long.toString(clock.getAsLong() + delay.toMillis()), error);
        return r != null && r == 1L;
    }

    /**
     * Gives a delivery up: it leaves the queue and becomes a {@link CallbackDeadLetters dead letter}, in one step,
     * logged with one WARN line. False (nothing written) under the same conditions as {@link #retry}.
     *
     * @param attempts the attempts made, as the dead letter reports them
     */
    public boolean deadLetter(Delivery d, String target, String error, int attempts) {
        Map<String, String> entry = CallbackDeadLetters.entry(d.jobId(), d.event(), target, error, attempts);
        List<String> args = new ArrayList<>(List.of(d.id(), d.token(), Integer.toString(d.attempt()),
                Long.toString(clock.getAsLong())));
        entry.forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        Long r = redis.execute(deadLetterScript, List.of(keys.callbackDelivery(d.id()), keys.callbacksDue(),
                keys.callbackDeadLetter(d.id()), keys.callbackDeadLetters()), args.toArray());
        if (r != null && r == 1L) {
            CallbackDeadLetters.logRecorded(entry);
            return true;
        }
        return false;
    }

    /** Deliveries waiting or in an attempt, on every node. */
    public long pending() {
        Long n = redis.opsForZSet().zCard(keys.callbacksDue());
        return n == null ? 0 : n;
    }

    /** When the delivery {@code id} is due (epoch ms; the end of its lease while claimed), or null if none. */
    public Long dueAt(String id) {
        Double score = redis.opsForZSet().score(keys.callbacksDue(), id);
        return score == null ? null : score.longValue();
    }
}
