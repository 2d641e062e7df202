package dev.rofsguard.engine;

import dev.rofsguard.catalog.Catalog;
import dev.rofsguard.mutation.MutationConfig;
import dev.rofsguard.policy.ContainerRule;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.PolicyConfig;
import java.util.List;

/** Everything the judge runs with, validated and immutable: the policy, the mutation settings and the catalog. */
public record EngineConfig(PolicyConfig policy, MutationConfig mutation, Catalog catalog) {

    public Mode defaultMode() {
        return policy.defaultMode();
    }

    /** The same configuration with other rules (the doors read rules from the verdicts and need no change). */
    public EngineConfig withRules(List<ContainerRule> rules) {
        return new EngineConfig(policy.withRules(rules), mutation, catalog);
    }
}
