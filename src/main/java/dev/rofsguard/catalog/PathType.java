package dev.rofsguard.catalog;

/** What an image does at a path. */
public enum PathType {
    /** Caches, pid files, sockets, temp files: safe to back with an emptyDir. */
    SCRATCH,
    /**
     * Must survive restarts (a database's data directory): never an emptyDir. When nothing writable is mounted there,
     * the mutation leaves the container alone (the flag would break it) and the judge says why.
     */
    DATA,
    /**
     * Written at run time where the image also ships files (nginx {@code conf.d} with templates, zookeeper
     * {@code /conf}): an emptyDir filled by an init container that copies the image's content in first.
     */
    SEEDED,
    /** A mount here breaks the image (postgres 18 exits when a volume sits at the pre-18 data directory). */
    OBSOLETE
}
