package dev.rofsguard.catalog;

/** What an image writes at a path. */
public enum PathType {
    /** Caches, pid files, sockets, temp files: safe to back with an emptyDir. */
    SCRATCH,
    /** Must survive restarts (a database's data directory): never an emptyDir; warn when nothing is mounted. */
    DATA
}
