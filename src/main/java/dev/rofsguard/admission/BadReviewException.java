package dev.rofsguard.admission;

/** A request body that is not an AdmissionReview v1 we can answer; carries the HTTP status to answer with. */
public final class BadReviewException extends Exception {

    private final int status;

    public BadReviewException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
