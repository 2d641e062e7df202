package dev.rofsguard.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rofsguard.web.LargeReviews;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The parsed tree stays within the heap it was allowed: a pod's usual content fits the share the transport reserves
 * (5 bytes per body byte), a review of tiny objects asks for more, and is refused with 503 when the budget has none.
 */
class TreeAllowanceTest {

    @Test
    void aPodsUsualContentFitsTheReservedShare() throws Exception {
        byte[] body = LargeReviews.podCreate(1 << 20);
        AtomicLong asked = new AtomicLong();
        AdmissionRequest r = AdmissionReviews.parse(body, new TreeAllowance(5L * body.length, more -> asked.addAndGet(more) < 0));
        assertThat(r.uid()).isNotEmpty();
        assertThat(asked).hasValue(0);
        // measured on the heap by bench/TreeFootprint: 4.2-4.4
        assertThat(AdmissionReviews.treeHeap(body)).isBetween(4L * body.length, 5L * body.length);
    }

    @Test
    void tinyObjectsAreRefusedWith503WhenTheBudgetHasNoMore() throws Exception {
        byte[] body = LargeReviews.podWithEnv("{}", 1 << 20);
        // ~20 bytes of tree per body byte (bench/TreeFootprint: 20.0 on the heap, counted 21.3 with the parser's scratch)
        assertThat(AdmissionReviews.treeHeap(body)).isGreaterThan(18L * body.length);
        assertThatThrownBy(() -> AdmissionReviews.parse(body, new TreeAllowance(5L * body.length, more -> false)))
                .isInstanceOfSatisfying(BadReviewException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.getMessage()).contains("memory budget");
                });
    }

    @Test
    void aTreeGetsWhatItAsksForAndNoMore() throws Exception {
        byte[] body = LargeReviews.podWithEnv("{\"name\":\"\"}", 256 * 1024);
        AtomicLong given = new AtomicLong();
        AdmissionRequest r = AdmissionReviews.parse(body, new TreeAllowance(5L * body.length, more -> given.addAndGet(more) > 0));
        assertThat(r.object().path("spec").path("containers").get(0).path("env").size()).isGreaterThan(20_000);
        long counted = AdmissionReviews.treeHeap(body);
        assertThat(5L * body.length + given.get()).isGreaterThanOrEqualTo(counted)
                .as("grown in steps of a quarter at most beyond the need").isLessThanOrEqualTo(counted + counted / 4 + 1);
    }

    @Test
    void theCommandLineParsesWithoutALimit() throws Exception {
        byte[] body = LargeReviews.podWithEnv("[]", 256 * 1024);
        assertThat(AdmissionReviews.parse(body).uid()).isEqualTo("u");
        assertThat(AdmissionReviews.parse(body, TreeAllowance.UNBOUNDED).uid()).isEqualTo("u");
    }
}
