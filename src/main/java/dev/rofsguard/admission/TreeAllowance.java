package dev.rofsguard.admission;

import java.util.function.LongPredicate;

/**
 * The heap one review's parsed tree may take. The transport reserves a body's cost from the memory budget before
 * reading it, leaving the tree 5 bytes per body byte (a pod's usual content takes 4.3-4.5); a tree of tiny objects
 * takes far more ({@code [{},{},…]} about 20 bytes per byte, 30 before the compact tree: one 7 MiB review of it ran a
 * 128 MB heap out of memory). The parser counts what it builds
 * and asks for more as it goes; refused, the review is answered 503 rather than the heap running out.
 */
public final class TreeAllowance {

    /** For the command line: no budget, no limit. */
    public static final TreeAllowance UNBOUNDED = new TreeAllowance(Long.MAX_VALUE, more -> false);

    private long granted;
    private final LongPredicate more;

    /**
     * @param granted bytes of tree already reserved for this review
     * @param more    reserves that many bytes more from the budget, or says no
     */
    public TreeAllowance(long granted, LongPredicate more) {
        this.granted = granted;
        this.more = more;
    }

    long granted() {
        return granted;
    }

    /** Grows the allowance to at least {@code needed} bytes, in steps of a quarter at least; false when refused. */
    boolean growTo(long needed) {
        long step = Math.max(needed - granted, granted / 4);
        if (!more.test(step)) {
            return false;
        }
        granted += step;
        return true;
    }
}
