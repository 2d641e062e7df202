package dev.rofsguard.report;

import dev.rofsguard.manifest.Document;
import dev.rofsguard.policy.Verdict;
import java.util.List;

/** One workload object of a manifest (or a live object of a cluster), with its verdict and findings. */
public record AuditedObject(Document document, String kind, String namespace, String name, Verdict verdict,
                            List<Finding> findings) {
}
