package dev.rofsguard.web;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The heap that admission bodies may hold at once, reserved from the Content-Length before a byte of the body is
 * read, and released when the answer has been written. A review of N bytes costs N × {@code heap-per-body-byte}
 * (the received buffer, its copy and the parsed tree, measured by {@code dev.rofsguard.bench.TreeFootprint}) plus
 * a fixed overhead; a body without a Content-Length costs the body limit. One request is always admitted when
 * nothing else is in flight, so the largest legal review can be answered.
 */
@ApplicationScoped
public class BodyBudget {

    private static final Logger LOG = Logger.getLogger(BodyBudget.class);
    /** Per request, whatever its size: headers, the request and response objects, the answer. */
    static final long OVERHEAD = 16 * 1024;

    private final long capacity;
    private final long perByte;
    private final long maxBody;
    private final AtomicLong used = new AtomicLong();

    @Inject
    public BodyBudget(@ConfigProperty(name = "rofs-guard.memory-budget", defaultValue = "0") long configured,
                      @ConfigProperty(name = "rofs-guard.memory-budget.heap-per-body-byte", defaultValue = "8") long perByte,
                      @ConfigProperty(name = "rofs-guard.max-body-size", defaultValue = "7340032") long maxBody,
                      MeterRegistry registry) {
        // Default: half the heap; the rest is the server itself, connections and garbage not yet collected.
        this.capacity = configured > 0 ? configured : Runtime.getRuntime().maxMemory() / 2;
        this.perByte = perByte;
        this.maxBody = maxBody;
        if (capacity < cost(maxBody)) {
            LOG.warnf("rofs-guard.memory-budget (%d bytes) is below the cost of one review at the body limit (%d bytes): "
                    + "such a review is answered only when nothing else is in flight", capacity, cost(maxBody));
        }
        Gauge.builder("rofs_guard_memory_budget_used_bytes", used, AtomicLong::get)
                .description("Heap reserved by admission bodies in flight").register(registry);
        Gauge.builder("rofs_guard_memory_budget_bytes", () -> capacity)
                .description("Heap admission bodies may reserve at once (rofs-guard.memory-budget)").register(registry);
    }

    /** The reservation for a body of this many bytes, or of unknown length (-1). */
    long cost(long contentLength) {
        return (contentLength < 0 ? maxBody : contentLength) * perByte + OVERHEAD;
    }

    /** Reserves or refuses; never blocks. */
    boolean tryReserve(long cost) {
        while (true) {
            long now = used.get();
            if (now > 0 && now + cost > capacity) {
                return false;
            }
            if (used.compareAndSet(now, now + cost)) {
                return true;
            }
        }
    }

    void release(long cost) {
        used.addAndGet(-cost);
    }

    long used() {
        return used.get();
    }

    long capacity() {
        return capacity;
    }
}
