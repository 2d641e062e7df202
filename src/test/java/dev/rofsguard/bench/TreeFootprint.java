package dev.rofsguard.bench;

import dev.rofsguard.admission.AdmissionRequest;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.web.LargeReviews;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * How many bytes of heap a parsed review of N bytes holds (the body as received and as a byte[], plus the tree):
 * the figure behind {@code rofs-guard.memory-budget.heap-per-body-byte}. Parses several copies and keeps them
 * reachable, so the figure is retained heap, not allocation.
 * Run: ./mvnw -B -q -o test-compile exec:java -Pbench -Dexec.mainClass=dev.rofsguard.bench.TreeFootprint
 * or: java -cp target/classes:target/test-classes:$(cat cp.txt) dev.rofsguard.bench.TreeFootprint
 */
public final class TreeFootprint {

    public static void main(String[] args) throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int size : new int[] {3_400, 1 << 20, 3 << 20, (int) (6.5 * (1 << 20))}) {
            for (String shape : new String[] {"create", "update"}) {
                measure(memory, shape, shape.equals("create") ? LargeReviews.podCreate(size) : LargeReviews.podUpdate(size));
            }
        }
        // The shapes that take the most tree per body byte: tiny objects, arrays and strings, 1 MiB of each.
        for (String entry : new String[] {"{}", "[]", "{\"name\":\"\"}", "{\"name\":\"A\",\"value\":\"B\"}", "\"\"", "1"}) {
            measure(memory, entry, LargeReviews.podWithEnv(entry, 1 << 20));
        }
    }

    private static void measure(MemoryMXBean memory, String shape, byte[] body) throws Exception {
        // About 48 MiB of bodies, or of trees where a tree is much larger than its body (tiny objects).
        int copies = (int) Math.max(1, Math.min((48L << 20) / body.length, (256L << 20) / AdmissionReviews.treeHeap(body)));
        List<Object> keep = new ArrayList<>();
        long before = used(memory);
        for (int i = 0; i < copies; i++) {
            byte[] copy = body.clone(); // the body as received
            AdmissionRequest r = AdmissionReviews.parse(copy);
            keep.add(copy);
            keep.add(r);
        }
        long after = used(memory);
        System.out.printf("%-26s %9d bytes: %6.2f bytes of heap per body byte (byte[] + tree), %d copies; the parser counts %.2f for the tree%n",
                shape, body.length, (after - before) / (double) copies / body.length, keep.size() / 2,
                AdmissionReviews.treeHeap(body) / (double) body.length);
        keep.clear();
    }

    private static long used(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
