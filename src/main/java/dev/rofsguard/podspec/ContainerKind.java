package dev.rofsguard.podspec;

/** The three lists of a pod spec that hold containers, with the field name the API uses. */
public enum ContainerKind {
    CONTAINER("containers"),
    INIT_CONTAINER("initContainers"),
    EPHEMERAL_CONTAINER("ephemeralContainers");

    private final String field;

    ContainerKind(String field) {
        this.field = field;
    }

    /** The pod spec field that holds this kind of container, e.g. {@code initContainers}. */
    public String field() {
        return field;
    }
}
