package dev.rofsguard.admission;

import dev.rofsguard.mutation.Plan;
import dev.rofsguard.policy.Decision;

/** What a door sends back: the HTTP status and JSON body, and what was decided, for logs and metrics. */
public sealed interface AdmissionAnswer {

    int status();

    byte[] body();

    /** A body that is not an AdmissionReview v1 we can answer: a 4xx with a Status, never a stack trace. */
    record Rejected(int status, String message, byte[] body) implements AdmissionAnswer {
        public static Rejected of(BadReviewException e) {
            return new Rejected(e.status(), e.getMessage(), AdmissionReviews.error(e.status(), e.getMessage()));
        }
    }

    /** The validating webhook's answer. */
    record Validated(AdmissionRequest request, Decision decision, byte[] body) implements AdmissionAnswer {
        @Override
        public int status() {
            return 200;
        }
    }

    /** The mutating webhook's answer: always allowed, with the plan as JSON Patch (possibly none). */
    record Mutated(AdmissionRequest request, Plan plan, byte[] body) implements AdmissionAnswer {
        @Override
        public int status() {
            return 200;
        }
    }
}
