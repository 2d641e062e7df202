package dev.rofsguard.web;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Admission work runs here, never on a Vert.x event loop: one large review must not stall the other requests (and
 * streams) that share its event loop. The pool is small (the work is CPU only) and its queue is bounded; a request
 * that finds it full is refused at once with a 503 rather than queued past the API server's timeout.
 */
@io.quarkus.runtime.Startup
@ApplicationScoped
public class AdmissionWorkers {

    private final ThreadPoolExecutor pool;
    private final Refusals refusals;

    @Inject
    public AdmissionWorkers(Refusals refusals,
                            @ConfigProperty(name = "rofs-guard.workers.threads", defaultValue = "0") int threads,
                            @ConfigProperty(name = "rofs-guard.workers.queue", defaultValue = "256") int queue) {
        this.refusals = refusals;
        int n = threads(threads);
        AtomicInteger id = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(n, n, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(Math.max(1, queue)), r -> {
            Thread t = new Thread(r, "rofs-guard-admission-" + id.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        pool.prestartAllCoreThreads();
    }

    /** The pool's size: as configured, or one per CPU and at least two. */
    static int threads(int configured) {
        return configured > 0 ? configured : Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /** Runs the work on the pool; when the pool is full, {@code busy} gets the 503 body at once (counted as {@code workers-busy}). */
    public void execute(Runnable work, java.util.function.Consumer<byte[]> busy) {
        try {
            pool.execute(work);
        } catch (RejectedExecutionException e) {
            busy.accept(refusals.busy("admission workers busy (" + pool.getActiveCount() + " working, "
                    + pool.getQueue().size() + " queued, rofs-guard.workers.queue): retry"));
        }
    }

    void stop(@Observes ShutdownEvent event) {
        pool.shutdown(); // Quarkus has already waited for in-flight requests (quarkus.shutdown.timeout)
    }
}
