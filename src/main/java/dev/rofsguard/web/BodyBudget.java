package dev.rofsguard.web;

import dev.rofsguard.admission.TreeAllowance;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The heap that admission bodies may hold at once, reserved from the Content-Length before a byte of the body is
 * read, and released when the answer has been written. A large review (over 64 KiB) of N bytes costs
 * N × {@code heap-per-body-byte} plus a fixed overhead: the body is held once ({@link AdmissionEndpoints#body}) and
 * the parsed tree of a pod's usual content takes 4.3-4.5 bytes per body byte (5.2-5.4 with the body, measured by
 * {@code dev.rofsguard.bench.TreeFootprint}), so 6 leaves the tree a fifth more than it needs. A tree that takes more
 * (tiny objects) asks for the rest as it is built ({@link #allowance}). A small one
 * costs its bytes plus the overhead: it waits as bytes, and its tree exists only while an
 * admission worker judges it, so the few small trees at once are one slice set aside from the capacity. (Charging
 * every waiting small review for a tree refused 2,000 req/s on a replica that had just taken a rollout's load,
 * RolloutHeavyIT.) A body without a Content-Length costs the body limit. Reservations are released when the answer
 * is written or the exchange fails; a body not received within {@code rofs-guard.body-timeout} fails it.
 */
@io.quarkus.runtime.Startup
@ApplicationScoped
public class BodyBudget {

    private static final Logger LOG = Logger.getLogger(BodyBudget.class);
    /** Per request, whatever its size: headers, the request and response objects, the answer. */
    static final long OVERHEAD = 16 * 1024;
    /** Up to this many bytes a review is "small" (almost every admission is a few KiB). */
    static final long SMALL_BODY = 64 * 1024;
    /** The cost of the largest small body. */
    private final long small;

    private final long capacity;
    private final long perByte;
    private final long maxBody;
    private final AtomicLong used = new AtomicLong();
    private long usedLarge;

    @Inject
    public BodyBudget(@ConfigProperty(name = "rofs-guard.memory-budget", defaultValue = "0") long configured,
                      @ConfigProperty(name = "rofs-guard.memory-budget.heap-per-body-byte", defaultValue = "6") long perByte,
                      @ConfigProperty(name = "rofs-guard.max-body-size", defaultValue = "7340032") long maxBody,
                      @ConfigProperty(name = "rofs-guard.workers.threads", defaultValue = "0") int workers,
                      MeterRegistry registry) {
        // Default: half the heap; the rest is the server itself, connections and garbage not yet collected. Less the
        // trees of small reviews being judged: one per admission worker at most.
        long heap = configured > 0 ? configured : Runtime.getRuntime().maxMemory() / 2;
        this.capacity = heap - AdmissionWorkers.threads(workers) * SMALL_BODY * perByte;
        this.perByte = perByte;
        this.maxBody = maxBody;
        this.small = cost(SMALL_BODY);
        if (capacity < cost(maxBody)) {
            LOG.warnf("rofs-guard.memory-budget (%d bytes) is below the cost of one review at the body limit (%d bytes): "
                    + "while such a review is in flight small ones are refused; give the JVM more heap", capacity, cost(maxBody));
        }
        Gauge.builder("rofs_guard_memory_budget_used_bytes", used, AtomicLong::get)
                .description("Heap reserved by admission bodies in flight").register(registry);
        Gauge.builder("rofs_guard_memory_budget_bytes", () -> capacity)
                .description("Heap admission bodies may reserve at once (rofs-guard.memory-budget)").register(registry);
    }

    /** The reservation for a body of this many bytes, or of unknown length (-1). */
    long cost(long contentLength) {
        long length = contentLength < 0 ? maxBody : contentLength;
        return length * (length <= SMALL_BODY ? 1 : perByte) + OVERHEAD;
    }

    /**
     * Reserves or refuses; never blocks. Large bodies together may take three quarters of the budget, so a burst of
     * them (or slow senders holding reservations) cannot starve the small reviews that are most admissions; one large
     * body is always admitted when no other is in flight.
     */
    synchronized boolean tryReserve(long cost) {
        boolean large = cost > small;
        if (large) {
            if (usedLarge > 0 && used.get() + cost > capacity * 3 / 4) {
                return false;
            }
            usedLarge += cost;
        } else if (used.get() + cost > capacity) {
            return false;
        }
        used.addAndGet(cost);
        return true;
    }

    /**
     * More heap for a parsed tree that outgrew its share of a reservation ({@link #allowance}): granted only within
     * the whole capacity, whatever the kind of body, so the sum of all trees stays within the budget.
     */
    synchronized boolean tryGrow(long extra) {
        if (used.get() + extra > capacity) {
            return false;
        }
        used.addAndGet(extra);
        return true;
    }

    synchronized void releaseGrowth(long extra) {
        used.addAndGet(-extra);
    }

    /**
     * The heap the tree of a body of this many bytes may take before it asks for more: a large body's reservation less
     * its bytes, held once; a small one's tree is one of the slices set aside per admission worker.
     * What it is then given is added to {@code grown}, to be released with the reservation; {@code refused} runs when
     * it is given no more (the review is then answered 503).
     */
    TreeAllowance allowance(long length, AtomicLong grown, Runnable refused) {
        long granted = length <= SMALL_BODY ? SMALL_BODY * perByte : cost(length) - length;
        return new TreeAllowance(granted, extra -> {
            if (!tryGrow(extra)) {
                refused.run();
                return false;
            }
            grown.addAndGet(extra);
            return true;
        });
    }

    synchronized void release(long cost) {
        if (cost > small) {
            usedLarge -= cost;
        }
        used.addAndGet(-cost);
    }

    long used() {
        return used.get();
    }

    long capacity() {
        return capacity;
    }
}
