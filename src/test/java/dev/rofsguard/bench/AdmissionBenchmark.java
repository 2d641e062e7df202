package dev.rofsguard.bench;

import dev.rofsguard.admission.AdmissionAnswer;
import dev.rofsguard.admission.AdmissionRequest;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.admission.MutatingAdmission;
import dev.rofsguard.admission.ValidatingAdmission;
import dev.rofsguard.config.PolicyLoader;
import dev.rofsguard.policy.Decision;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.engine.Judge;
import dev.rofsguard.engine.Origin;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * µs per admission in-process: bytes of an AdmissionReview in, bytes of the answer out (parse, decide, write),
 * the mutation (parse, plan the patch, write), and the decision alone over an already-parsed request.
 * Run: {@code ./mvnw -B -Pbench test-compile exec:exec}
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AdmissionBenchmark {

    @Param({"pod-create-by-replicaset.json", "deployment-create.json", "pod-create-compliant.json"})
    public String fixture;

    private byte[] body;
    private ValidatingAdmission admission;
    private MutatingAdmission mutating;
    private Judge engine;
    private AdmissionRequest parsed;

    @Setup
    public void setUp() throws Exception {
        try (InputStream in = AdmissionBenchmark.class.getResourceAsStream("/admission/" + fixture)) {
            body = in.readAllBytes();
        }
        engine = new Judge(PolicyLoader.load(null, "rofs-guard"));
        admission = new ValidatingAdmission(() -> engine);
        mutating = new MutatingAdmission(() -> engine);
        parsed = AdmissionReviews.parse(body);
    }

    @Benchmark
    public byte[] review() {
        AdmissionAnswer answer = admission.validate(body, Mode.ENFORCE, true);
        return answer.body();
    }

    @Benchmark
    public byte[] mutate() {
        return mutating.mutate(body).body();
    }

    @Benchmark
    public Decision decisionOnly() {
        return Decision.decide(engine.judge(parsed.subject(), Origin.admission(true)).verdict(), Mode.ENFORCE, engine.config().policy());
    }
}
