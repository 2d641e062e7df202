package dev.rofsguard.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** What a review reserves: a small one its bytes while it waits, a large one its tree too (the body is held once). */
class BodyBudgetCostTest {

    private final BodyBudget budget = new BodyBudget(64L * 1024 * 1024, 6, 7 * 1024 * 1024, 2, new SimpleMeterRegistry());

    @Test
    void aSmallReviewCostsItsBytesAndTheOverhead() {
        assertThat(budget.cost(3_400)).isEqualTo(3_400 + BodyBudget.OVERHEAD);
        assertThat(budget.cost(BodyBudget.SMALL_BODY)).isEqualTo(BodyBudget.SMALL_BODY + BodyBudget.OVERHEAD);
    }

    @Test
    void aLargeReviewOrOneOfUnknownLengthCostsItsTree() {
        assertThat(budget.cost(BodyBudget.SMALL_BODY + 1)).isEqualTo(6 * (BodyBudget.SMALL_BODY + 1) + BodyBudget.OVERHEAD);
        assertThat(budget.cost(-1)).isEqualTo(6L * 7 * 1024 * 1024 + BodyBudget.OVERHEAD);
    }

    @Test
    void theWorkersSmallTreesAreSetAsideFromTheCapacity() {
        assertThat(budget.capacity()).isEqualTo(64L * 1024 * 1024 - 2 * BodyBudget.SMALL_BODY * 6);
    }

    @Test
    void twoThousandWaitingSmallReviewsFitWhereTheyUsedToBeRefused() {
        // A replica taking a rollout's 2,000 req/s with a second of backlog (the cold case RolloutHeavyIT met).
        int admitted = 0;
        while (admitted < 5_000 && budget.tryReserve(budget.cost(3_400))) {
            admitted++;
        }
        assertThat(admitted).isGreaterThan(2_000);
    }
}
