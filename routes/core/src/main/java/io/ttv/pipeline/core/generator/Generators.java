package io.ttv.pipeline.core.generator;

import io.ttv.pipeline.generator.VideoGenerator;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The generators of one node, by name: those the configuration names ({@link #names()}, what a create body may ask
 * for) and those the generator bundles offer right now (each wrapped in {@link InstrumentedGenerator}). A generator
 * whose bundle is being updated is absent for a moment: {@link #await} waits for it.
 */
public final class Generators {
    private final Set<String> names;
    private final MeterRegistry registry;
    private final Map<String, VideoGenerator> available = new ConcurrentHashMap<>();

    /** @param names the generators the configuration enables (local and each remote backend with a key) */
    public Generators(Set<String> names, MeterRegistry registry) {
        this.names = Set.copyOf(names);
        this.registry = registry;
    }

    /** The names a job may ask for on this node's configuration. */
    public Set<String> names() {
        return names;
    }

    /** The names whose generator is offered right now. */
    public Set<String> available() {
        return Set.copyOf(available.keySet());
    }

    /** Offers these generators (a provider came); only configured names are taken, and returned. */
    public synchronized List<String> offer(Collection<VideoGenerator> generators) {
        List<String> taken = new ArrayList<>();
        for (VideoGenerator g : generators) {
            if (names.contains(g.name())) {
                available.put(g.name(), new InstrumentedGenerator(g, registry));
                taken.add(g.name());
            }
        }
        notifyAll();
        return taken;
    }

    /** Withdraws the generators of these names (their provider went). */
    public synchronized void withdraw(List<String> generatorNames) {
        generatorNames.forEach(available::remove);
    }

    /** The generator of this name, waiting up to {@code timeout} for its bundle; null if it is still absent. */
    public synchronized VideoGenerator await(String name, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        VideoGenerator g;
        while ((g = available.get(name)) == null && names.contains(name)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return g;
    }
}
