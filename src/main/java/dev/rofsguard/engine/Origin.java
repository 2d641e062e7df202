package dev.rofsguard.engine;

/**
 * Where the judged object comes from, and whether rofs-guard's mutation runs for its namespace; the door resolves
 * both once. What follows from them:
 * <ul>
 *   <li>a Pod at admission is judged as it is (the mutating webhook already ran, or does not run here);</li>
 *   <li>a Pod in a manifest is judged as the mutating webhook will leave it at creation;</li>
 *   <li>a live Pod is judged as it is (volumes cannot change any more);</li>
 *   <li>a workload is judged as its pods will be created: with the mutation applied to its template.</li>
 * </ul>
 *
 * @param source   admission request, manifest file, or live object of a cluster
 * @param mutation whether the mutating webhook runs for this namespace (configured and routed)
 */
public record Origin(Source source, boolean mutation) {

    public enum Source { ADMISSION, MANIFEST, LIVE }

    public static Origin admission(boolean mutation) {
        return new Origin(Source.ADMISSION, mutation);
    }

    public static Origin manifest(boolean mutation) {
        return new Origin(Source.MANIFEST, mutation);
    }

    public static Origin live(boolean mutation) {
        return new Origin(Source.LIVE, mutation);
    }

    /** Whether a Pod's own mutation is still ahead of it (only a manifest's pod is yet to be created). */
    boolean podMutationAhead() {
        return mutation && source == Source.MANIFEST;
    }

    /** Whether a verdict should carry the plan as advice even where it does not count (reports show the fix). */
    boolean wantsAdvice() {
        return source != Source.ADMISSION;
    }
}
